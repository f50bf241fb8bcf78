import { IntlMessageFormat } from "intl-messageformat";
import { en } from "./en";
import { zhCN, type MessageKey } from "./zh-CN";

export type { MessageKey };
export type Locale = "zh-CN" | "en";
export const LOCALES: readonly Locale[] = ["zh-CN", "en"];
const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { "zh-CN": zhCN, en };
const STORAGE_KEY = "sw.locale";

/**
 * Families of codes the server sends (hazard, status, severity…), shown through catalogue keys
 * `<family>.<code>`; tests/cloud/console-catalogue.test.ts checks every code of each family has
 * both entries. Staff never see the raw code; crews find it in a details view.
 */
export type CodeFamily = "hazard" | "status" | "severity" | "role" | "event" | "purpose" | "channel" | "delivery" | "level";

function storedLocale(): Locale {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === "en" || stored === "zh-CN") return stored;
  } catch {
    // Storage can be refused (private mode); the default language still works.
  }
  return "zh-CN";
}

let current: Locale = storedLocale();
const listeners = new Set<() => void>();
const formats = new Map<string, IntlMessageFormat>();

export function locale(): Locale {
  return current;
}

/** Switches language for this browser (remembered) and redraws every view. */
export function setLocale(next: Locale): void {
  if (next === current) return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered, but switched for this visit.
  }
  document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

export function onLocaleChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** One message in the current language. */
export function t(key: MessageKey, values?: Record<string, string | number>): string {
  const id = `${current}|${key}`;
  let format = formats.get(id);
  if (!format) {
    format = new IntlMessageFormat(CATALOGUES[current][key], current);
    formats.set(id, format);
  }
  return String(format.format(values));
}

/** A server code in words (`hazard` + `fire` → 火警); an unknown code is shown as it is rather than hidden. */
export function tCode(family: CodeFamily, code: string): string {
  const key = `${family}.${code}` as MessageKey;
  return key in CATALOGUES[current] ? t(key) : code;
}

/** "3 分钟前" / "3 minutes ago", from the catalogue, relative to `now`. */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (seconds < 60) return t("time.justNow");
  if (seconds < 3600) return t("time.minutesAgo", { n: Math.floor(seconds / 60) });
  if (seconds < 86_400) return t("time.hoursAgo", { n: Math.floor(seconds / 3600) });
  return t("time.daysAgo", { n: Math.floor(seconds / 86_400) });
}

/** A date and time in the reader's language and the browser's time zone. */
export function dateTime(iso: string): string {
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}
