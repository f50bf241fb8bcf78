/**
 * A token bucket per node: how many alarms (or incident triggers) a node may bring before its
 * work goes behind everyone else's. A node in a real fire raises a handful (smoke warning, alarm,
 * heat, clear); a broken or compromised node raising thousands spends its budget in the first
 * seconds and is then stored and worked at background priority, in its own order, never dropped.
 */
export class NodeBudgets {
  #burst: number;
  #refillMs: number;
  #buckets = new Map<string, { tokens: number; atMs: number }>();

  /** `burst` taken at once, refilled at one per `refillMs`. */
  constructor(burst: number, refillMs: number) {
    this.#burst = burst;
    this.#refillMs = refillMs;
  }

  /** Takes one token for `node`; false when it has none left (it is over budget). */
  take(node: string, nowMs: number): boolean {
    let bucket = this.#buckets.get(node);
    if (!bucket) {
      // Bounded memory whatever node ids arrive: a forgotten node starts again with a full bucket.
      if (this.#buckets.size >= 100_000) this.#buckets.clear();
      bucket = { tokens: this.#burst, atMs: nowMs };
      this.#buckets.set(node, bucket);
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + Math.max(0, nowMs - bucket.atMs) / this.#refillMs);
    bucket.atMs = nowMs;
    if (bucket.tokens < 1) return false;
    bucket.tokens--;
    return true;
  }
}

/** Alarms a node may raise at once before its alarms wait behind other nodes', and how fast that refills. */
export const ALARM_BURST = 20;
export const ALARM_REFILL_MS = 3000;
