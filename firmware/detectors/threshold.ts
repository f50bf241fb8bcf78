/**
 * A threshold with hysteresis and a minimum hold: the state turns active only after `holdSamples`
 * consecutive samples at or above `raiseAt`, and idle again only after as many at or below
 * `clearAt`. A value dancing on the threshold therefore gives one alarm, not a hundred.
 * Keeps the last samples as evidence in a preallocated ring; `update` allocates nothing.
 */
export const THRESHOLD_IDLE = 0;
export const THRESHOLD_RAISED = 1;
export const THRESHOLD_CLEARED = 2;
export type ThresholdChange = typeof THRESHOLD_IDLE | typeof THRESHOLD_RAISED | typeof THRESHOLD_CLEARED;

export class ThresholdDetector {
  active = false;
  readonly raiseAt: number;
  readonly clearAt: number;
  readonly holdSamples: number;
  #streak = 0;
  #ring: Float32Array;
  #ringNext = 0;
  #ringCount = 0;

  constructor(options: { raiseAt: number; clearAt: number; holdSamples: number; evidenceSamples?: number }) {
    if (!(options.clearAt < options.raiseAt)) throw new RangeError("clearAt must be below raiseAt");
    this.raiseAt = options.raiseAt;
    this.clearAt = options.clearAt;
    this.holdSamples = options.holdSamples;
    this.#ring = new Float32Array(options.evidenceSamples ?? 16);
  }

  update(value: number): ThresholdChange {
    const ring = this.#ring;
    ring[this.#ringNext] = value;
    this.#ringNext = this.#ringNext + 1 === ring.length ? 0 : this.#ringNext + 1;
    if (this.#ringCount < ring.length) this.#ringCount++;

    const pushing = this.active ? value <= this.clearAt : value >= this.raiseAt;
    this.#streak = pushing ? this.#streak + 1 : 0;
    if (this.#streak < this.holdSamples) return THRESHOLD_IDLE;
    this.#streak = 0;
    this.active = !this.active;
    return this.active ? THRESHOLD_RAISED : THRESHOLD_CLEARED;
  }

  /** The retained samples, oldest first. Allocates: call it when reporting, not per sample. */
  evidence(): number[] {
    const ring = this.#ring;
    const out: number[] = [];
    const start = this.#ringCount < ring.length ? 0 : this.#ringNext;
    for (let i = 0; i < this.#ringCount; i++) out.push(ring[(start + i) % ring.length]);
    return out;
  }
}
