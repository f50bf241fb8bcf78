/**
 * A token bucket per key: `capacity` at once, refilled at `perHour`. Kept in memory per
 * instance; behind several instances each enforces its own share, which errs on the generous side.
 */
export class RateLimiter {
  #buckets = new Map<string, { tokens: number; atMs: number }>();
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #now: () => number;

  constructor(options: { capacity: number; perHour: number; now: () => number }) {
    this.#capacity = options.capacity;
    this.#perMs = options.perHour / 3_600_000;
    this.#now = options.now;
  }

  /** Takes one token for `key`; when none is left says how long until one is. */
  take(key: string): { ok: true } | { ok: false; retryAfterS: number } {
    const now = this.#now();
    if (this.#buckets.size > 50_000) this.#prune(now);
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, atMs: now };
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.atMs) * this.#perMs);
    bucket.atMs = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.ceil((1 - bucket.tokens) / this.#perMs / 1000) };
  }

  /** Drops buckets that have refilled completely: they hold nothing a new bucket would not. */
  #prune(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.atMs) * this.#perMs >= this.#capacity) this.#buckets.delete(key);
    }
  }
}
