/**
 * The last samples in a preallocated Float32Array whose length is a power of two. The fields are
 * public so a detector's per-sample path can push inline (`values[next] = x; next = (next + 1) &
 * mask`) without a call; `push` and `ago` are there for everything else. `evidence` builds a
 * plain array and is meant for the moment an alarm is reported.
 */
export class SampleRing {
  readonly values: Float32Array;
  readonly mask: number;
  next = 0;
  count = 0;

  /** Holds at least `minimum` samples (rounded up to a power of two). */
  constructor(minimum: number) {
    if (!(Number.isInteger(minimum) && minimum > 0)) throw new RangeError("ring size must be a positive integer");
    let capacity = 1;
    while (capacity < minimum) capacity *= 2;
    this.values = new Float32Array(capacity);
    this.mask = capacity - 1;
  }

  get capacity(): number {
    return this.values.length;
  }

  push(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) & this.mask;
    if (this.count <= this.mask) this.count++;
  }

  /** The sample `k` pushes ago (0 = newest). The caller keeps `k < count`. */
  ago(k: number): number {
    return this.values[(this.next - 1 - k) & this.mask];
  }

  /** The newest `limit` samples (all by default), oldest first, rounded to `decimals`. Allocates. */
  evidence(decimals: number, limit = this.count): number[] {
    const scale = 10 ** decimals;
    const out: number[] = [];
    for (let k = Math.min(limit, this.count) - 1; k >= 0; k--) out.push(Math.round(this.ago(k) * scale) / scale);
    return out;
  }

  clear(): void {
    this.next = 0;
    this.count = 0;
  }
}
