/** A mistake in how a CLI was called: shown as the message, with exit code 64 (EX_USAGE). */
export class UsageError extends Error {}

/** "30m", "90s", "2h", or plain milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a duration like 30m, 90s or 2h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "ms") as "ms" | "s" | "m" | "h"];
  return Math.round(Number(match[1]) * unit);
}

/** "10%" or "0.1". */
export function parseFraction(text: string): number {
  const value = text.trim().endsWith("%") ? Number(text.trim().slice(0, -1)) / 100 : Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`"${text}" is not a fraction like 10% or 0.1`);
  return value;
}
