/**
 * A contact or a detector output, debounced in time: a new level counts only after it has held,
 * sample after sample, for `riseMs` (to 1) or `fallMs` (to 0). Asymmetric times let an input be
 * quick to report one way and slow the other (an e-bike is confirmed in 1 s, the car declared
 * clear only after 3 s, so a rider stepping out of the camera's view for a frame does not end a
 * hold). Until the first level has held long enough the input is not `settled`, and callers treat
 * it as unknown. `update` allocates nothing.
 */
export const DEBOUNCE_NONE = 0;
export const DEBOUNCE_ROSE = 1;
export const DEBOUNCE_FELL = 2;
export type DebounceChange = typeof DEBOUNCE_NONE | typeof DEBOUNCE_ROSE | typeof DEBOUNCE_FELL;

export class Debouncer {
  /** The debounced level, 0 or 1; meaningful once `settled`. */
  level = 0;
  settled = false;
  readonly riseMs: number;
  readonly fallMs: number;
  #candidate = -1;
  #candidateSinceMs = 0;

  /**
   * `initial`: the level assumed before the first sample, for inputs with a normal state (a door
   * closed, an AED in place): the input is settled from the start, and finding it otherwise at
   * boot is reported as a change like any other. Without it the input is unknown until settled.
   */
  constructor(options: { riseMs: number; fallMs?: number; initial?: 0 | 1 }) {
    if (!(options.riseMs >= 0)) throw new RangeError("riseMs must be non-negative");
    this.riseMs = options.riseMs;
    this.fallMs = options.fallMs ?? options.riseMs;
    if (!(this.fallMs >= 0)) throw new RangeError("fallMs must be non-negative");
    if (options.initial !== undefined) {
      this.level = options.initial;
      this.settled = true;
    }
  }

  /** Feeds one raw sample (any non-zero is 1) taken at `nowMs`; returns the change it completed, if any. */
  update(raw: number, nowMs: number): DebounceChange {
    const sample = raw ? 1 : 0;
    if (sample !== this.#candidate) {
      this.#candidate = sample;
      this.#candidateSinceMs = nowMs;
    }
    if (this.settled && sample === this.level) return DEBOUNCE_NONE;
    if (nowMs - this.#candidateSinceMs < (sample ? this.riseMs : this.fallMs)) return DEBOUNCE_NONE;
    const first = !this.settled;
    this.settled = true;
    this.level = sample;
    if (first) return DEBOUNCE_NONE;
    return sample ? DEBOUNCE_ROSE : DEBOUNCE_FELL;
  }

  /** How long the current raw level has held, in ms. */
  heldMs(nowMs: number): number {
    return nowMs - this.#candidateSinceMs;
  }
}
