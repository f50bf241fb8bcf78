export interface BackoffOptions {
  /** Ceiling of the first retry's delay. */
  firstMs: number;
  /** The ceiling never grows past this. */
  maxMs: number;
  /** No retry sooner than this, so a node whose draw is near 0 does not spin. */
  minMs: number;
  /** 0 … 1; injected so a test replays the same delays. */
  random: () => number;
}

/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff And
 * Jitter", 2015): each delay is drawn uniformly between `minMs` and a ceiling that doubles after
 * every failure up to `maxMs`. Drawing over the whole range, rather than adding a little jitter
 * to a fixed delay, is what spreads a building's nodes out when they all lose the broker at the
 * same instant: their retries are uniform over the window instead of clustered at its end.
 */
export class Backoff {
  #options: BackoffOptions;
  #ceilingMs: number;
  #failures = 0;

  constructor(options: BackoffOptions) {
    if (!(options.minMs >= 0 && options.minMs <= options.firstMs && options.firstMs <= options.maxMs)) {
      throw new RangeError("backoff needs 0 <= minMs <= firstMs <= maxMs");
    }
    this.#options = options;
    this.#ceilingMs = options.firstMs;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const { minMs, maxMs, random } = this.#options;
    const delayMs = Math.floor(minMs + random() * (this.#ceilingMs - minMs));
    this.#failures++;
    this.#ceilingMs = Math.min(this.#ceilingMs * 2, maxMs);
    return delayMs;
  }

  /** After a success: the next failure starts again from the first ceiling. */
  reset(): void {
    this.#failures = 0;
    this.#ceilingMs = this.#options.firstMs;
  }
}
