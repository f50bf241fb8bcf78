import { html, nothing } from "lit";
import type { SupplyCategory } from "../../capsules-api";
import { t, type MessageKey } from "../../i18n/i18n";

/**
 * The five categories, in the order the national guidance lists them (消防、救援、警示、急救、防护).
 * A Record, so a category added on the server without words here is a compile error.
 */
export const CATEGORY_WORDS: Record<SupplyCategory, MessageKey> = {
  fire: "supplies.category.fire",
  rescue: "supplies.category.rescue",
  warning: "supplies.category.warning",
  "first-aid": "supplies.category.firstAid",
  protection: "supplies.category.protection",
};
export const CATEGORIES = Object.keys(CATEGORY_WORDS) as SupplyCategory[];

/** Within this many days an item is due for replacement, whatever the month. */
export const SOON_DAYS = 30;

export type ExpiryState = "none" | "ok" | "soon" | "expired";
export interface Expiry {
  state: ExpiryState;
  /** Whole days from today to the expiry date (negative once expired); null without a date. */
  days: number | null;
}

/** Today's calendar date where the reader is (`YYYY-MM-DD`): staff think in their own days. */
export function localToday(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * How an item stands: expired (the date has passed), soon (due this calendar month or within
 * SOON_DAYS: the keeper orders it now), ok, or none (it does not expire).
 */
export function expiryOf(expiresOn: string | null, today: string): Expiry {
  if (!expiresOn) return { state: "none", days: null };
  const days = Math.round((Date.parse(`${expiresOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (days < 0) return { state: "expired", days };
  if (days <= SOON_DAYS || expiresOn.slice(0, 7) === today.slice(0, 7)) return { state: "soon", days };
  return { state: "ok", days };
}

/** The warning for an item, in colour and words (never colour alone); nothing for an item in date. */
export function expiryBadge(expiry: Expiry) {
  if (expiry.state === "expired") return html`<span class="badge sev-alarm" data-expiry="expired">${t("supplies.expired", { n: -expiry.days! })}</span>`;
  if (expiry.state === "soon") return html`<span class="badge sev-warning" data-expiry="soon">${t("supplies.expiresIn", { n: expiry.days! })}</span>`;
  return nothing;
}

/** The expiry date in words: the date, or "does not expire". */
export function expiryText(expiresOn: string | null): string {
  return expiresOn ? t("supplies.expiresOn", { date: expiresOn }) : t("supplies.noExpiry");
}
