import { firstPrimes, rootFractionBits } from "./hash-constants";

// Int32Array throughout: XS keeps 32-bit signed values as integers, while a Uint32Array element
// above 2^31 comes back as a double. Same bits, several times fewer operations per block.
let roundConstants: Int32Array | undefined;
let initialHash: Int32Array | undefined;

function constants(): { k: Int32Array; h: Int32Array } {
  if (!roundConstants || !initialHash) {
    const primes = firstPrimes(64);
    roundConstants = new Int32Array(64);
    initialHash = new Int32Array(8);
    // FIPS 180-4 §4.2.2: cube roots of the first 64 primes; §5.3.3: square roots of the first 8.
    for (let i = 0; i < 64; i++) roundConstants[i] = Number(BigInt.asIntN(32, rootFractionBits(primes[i], 3, 32)));
    for (let i = 0; i < 8; i++) initialHash[i] = Number(BigInt.asIntN(32, rootFractionBits(primes[i], 2, 32)));
  }
  return { k: roundConstants, h: initialHash };
}

/**
 * Streaming SHA-256 (FIPS 180-4 §6.2) for a firmware image read in chunks. Its buffers are
 * allocated once: hashing a chunk allocates nothing, so a 1.5 MB image costs the heap nothing.
 */
export class Sha256 {
  #state = new Int32Array(8);
  #schedule = new Int32Array(64);
  #block = new Uint8Array(64);
  #blockLength = 0;
  #byteCount = 0;
  #k: Int32Array;

  constructor() {
    this.#k = constants().k;
    this.reset();
  }

  reset(): void {
    this.#state.set(constants().h);
    this.#blockLength = 0;
    this.#byteCount = 0;
  }

  get byteCount(): number {
    return this.#byteCount;
  }

  update(bytes: Uint8Array, offset = 0, length = bytes.length - offset): void {
    if (offset < 0 || length < 0 || offset + length > bytes.length) throw new RangeError("range outside the buffer");
    this.#byteCount += length;
    let at = offset;
    const end = offset + length;
    if (this.#blockLength > 0) {
      while (at < end && this.#blockLength < 64) this.#block[this.#blockLength++] = bytes[at++];
      if (this.#blockLength < 64) return;
      this.#compress(this.#block, 0);
      this.#blockLength = 0;
    }
    while (end - at >= 64) {
      this.#compress(bytes, at);
      at += 64;
    }
    while (at < end) this.#block[this.#blockLength++] = bytes[at++];
  }

  /** Pads (§5.1.1), finishes and writes the 32-byte digest into `out`; the hasher must be reset before reuse. */
  digest(out: Uint8Array = new Uint8Array(32)): Uint8Array {
    const bitsHigh = Math.floor(this.#byteCount / 0x20000000);
    const bitsLow = (this.#byteCount * 8) >>> 0;
    const block = this.#block;
    block[this.#blockLength++] = 0x80;
    if (this.#blockLength > 56) {
      block.fill(0, this.#blockLength);
      this.#compress(block, 0);
      this.#blockLength = 0;
    }
    block.fill(0, this.#blockLength, 56);
    writeUint32(block, 56, bitsHigh);
    writeUint32(block, 60, bitsLow);
    this.#compress(block, 0);
    for (let i = 0; i < 8; i++) writeUint32(out, i * 4, this.#state[i]);
    return out;
  }

  #compress(bytes: Uint8Array, offset: number): void {
    const w = this.#schedule;
    const k = this.#k;
    const state = this.#state;
    for (let t = 0; t < 16; t++) {
      const i = offset + t * 4;
      w[t] = (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3];
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    let a = state[0];
    let b = state[1];
    let c = state[2];
    let d = state[3];
    let e = state[4];
    let f = state[5];
    let g = state[6];
    let h = state[7];
    for (let t = 0; t < 64; t++) {
      const sigma1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const choose = (e & f) ^ (~e & g);
      const t1 = (h + sigma1 + choose + k[t] + w[t]) | 0;
      const sigma0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (sigma0 + majority) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    state[0] = (state[0] + a) | 0;
    state[1] = (state[1] + b) | 0;
    state[2] = (state[2] + c) | 0;
    state[3] = (state[3] + d) | 0;
    state[4] = (state[4] + e) | 0;
    state[5] = (state[5] + f) | 0;
    state[6] = (state[6] + g) | 0;
    state[7] = (state[7] + h) | 0;
  }
}

function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}
