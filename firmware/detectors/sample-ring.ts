/**
 * The last `capacity` samples in a preallocated Float32Array. `push` and `ago` allocate nothing;
 * `evidence` builds a plain array and is meant for the moment an alarm is reported.
 */
export class SampleRing {
  readonly capacity: number;
  #values: Float32Array;
  #next = 0;
  #count = 0;

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError("ring capacity must be a positive integer");
    this.capacity = capacity;
    this.#values = new Float32Array(capacity);
  }

  get count(): number {
    return this.#count;
  }

  push(value: number): void {
    this.#values[this.#next] = value;
    this.#next = this.#next + 1 === this.capacity ? 0 : this.#next + 1;
    if (this.#count < this.capacity) this.#count++;
  }

  /** The sample `k` pushes ago (0 = newest). The caller keeps `k < count`. */
  ago(k: number): number {
    let index = this.#next - 1 - k;
    if (index < 0) index += this.capacity;
    return this.#values[index];
  }

  /** The retained samples, oldest first, rounded to `decimals`. Allocates. */
  evidence(decimals: number): number[] {
    const scale = 10 ** decimals;
    const out: number[] = [];
    for (let k = this.#count - 1; k >= 0; k--) out.push(Math.round(this.ago(k) * scale) / scale);
    return out;
  }

  clear(): void {
    this.#next = 0;
    this.#count = 0;
  }
}
