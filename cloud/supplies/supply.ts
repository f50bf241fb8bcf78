import { SUPPLY_CATEGORIES, type SupplyCategory } from "../db/schema";

/** A capsule's supply item as the API takes it. */
export interface SupplyInput {
  item: string;
  category: SupplyCategory;
  quantity: number;
  /** `YYYY-MM-DD`, or null for what does not expire. */
  expiresOn: string | null;
  note: string | null;
}

export interface SupplyRecord extends SupplyInput {
  id: number;
  capsuleId: string;
  createdAt: string;
  updatedAt: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/**
 * Checks a supply item from a request body. `partial` (for PATCH) lets fields be absent but
 * still checks those present. Every problem is reported at once, each naming its field.
 */
export function checkSupply(body: unknown, partial: false): Checked<SupplyInput>;
export function checkSupply(body: unknown, partial: true): Checked<Partial<SupplyInput>>;
export function checkSupply(body: unknown, partial: boolean): Checked<Partial<SupplyInput>> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, problems: ["the body must be a JSON object"] };
  const raw = body as Record<string, unknown>;
  const problems: string[] = [];
  const value: Partial<SupplyInput> = {};
  const known = new Set(["item", "category", "quantity", "expiresOn", "note"]);
  for (const key of Object.keys(raw)) if (!known.has(key)) problems.push(`${key} is not a supply field (item, category, quantity, expiresOn, note)`);

  const need = (key: string) => !partial || key in raw;
  if (need("item")) {
    if (typeof raw.item !== "string" || raw.item.trim().length === 0 || raw.item.length > 80) problems.push("item must be a name of 1–80 characters");
    else value.item = raw.item.trim();
  }
  if (need("category")) {
    if (typeof raw.category !== "string" || !(SUPPLY_CATEGORIES as readonly string[]).includes(raw.category)) {
      problems.push(`category must be one of ${SUPPLY_CATEGORIES.join(", ")}`);
    } else value.category = raw.category as SupplyCategory;
  }
  if (need("quantity")) {
    if (typeof raw.quantity !== "number" || !Number.isInteger(raw.quantity) || raw.quantity < 0 || raw.quantity > 10_000) problems.push("quantity must be a whole number from 0 to 10000");
    else value.quantity = raw.quantity;
  }
  if ("expiresOn" in raw || !partial) {
    const expires = raw.expiresOn ?? null;
    if (expires !== null && !isCalendarDate(expires)) problems.push("expiresOn must be a date as YYYY-MM-DD, or null");
    else value.expiresOn = expires as string | null;
  }
  if ("note" in raw || !partial) {
    const note = raw.note ?? null;
    if (note !== null && (typeof note !== "string" || note.length > 200)) problems.push("note must be at most 200 characters, or null");
    else value.note = note as string | null;
  }
  if (partial && Object.keys(value).length === 0 && problems.length === 0) problems.push("nothing to change: give item, category, quantity, expiresOn or note");
  return problems.length ? { ok: false, problems } : { ok: true, value };
}

/** A real date in `YYYY-MM-DD` (2026-02-30 is not). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The UTC calendar date `days` after `nowMs`. */
export function dateAfter(nowMs: number, days: number): string {
  return new Date(nowMs + days * 86_400_000).toISOString().slice(0, 10);
}

/** Whole days from the UTC date of `nowMs` to `date` (negative once expired). */
export function daysUntil(nowMs: number, date: string): number {
  const today = Date.parse(`${new Date(nowMs).toISOString().slice(0, 10)}T00:00:00Z`);
  return Math.round((Date.parse(`${date}T00:00:00Z`) - today) / 86_400_000);
}
