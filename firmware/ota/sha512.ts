import { firstPrimes, rootFractionBits } from "./hash-constants";

const MASK64 = (1n << 64n) - 1n;
let roundConstants: bigint[] | undefined;
let initialHash: bigint[] | undefined;

function rotr(x: bigint, n: bigint): bigint {
  return ((x >> n) | (x << (64n - n))) & MASK64;
}

/**
 * SHA-512 (FIPS 180-4 §6.4) of a whole message, in BigInt words. Ed25519 needs it only over
 * R ‖ A ‖ M, where M is a short release statement, so clarity wins over speed here: the
 * curve arithmetic costs a hundred times more.
 */
export function sha512(message: Uint8Array): Uint8Array {
  if (!roundConstants || !initialHash) {
    const primes = firstPrimes(80);
    // §4.2.3: cube roots of the first 80 primes; §5.3.5: square roots of the first 8.
    roundConstants = primes.map((p) => rootFractionBits(p, 3, 64));
    initialHash = primes.slice(0, 8).map((p) => rootFractionBits(p, 2, 64));
  }
  const k = roundConstants;
  const state = initialHash.slice();

  // §5.1.2: a 1 bit, zeros, then the length in bits as a 128-bit big-endian number.
  const paddedLength = Math.ceil((message.length + 17) / 128) * 128;
  const padded = new Uint8Array(paddedLength);
  padded.set(message);
  padded[message.length] = 0x80;
  let bits = BigInt(message.length) * 8n;
  for (let i = paddedLength - 1; bits > 0n; i--, bits >>= 8n) padded[i] = Number(bits & 0xffn);

  const w: bigint[] = new Array(80);
  for (let block = 0; block < paddedLength; block += 128) {
    for (let t = 0; t < 16; t++) {
      let word = 0n;
      for (let j = 0; j < 8; j++) word = (word << 8n) | BigInt(padded[block + t * 8 + j]);
      w[t] = word;
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      const s0 = rotr(x, 1n) ^ rotr(x, 8n) ^ (x >> 7n);
      const s1 = rotr(y, 19n) ^ rotr(y, 61n) ^ (y >> 6n);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) & MASK64;
    }
    let [a, b, c, d, e, f, g, h] = state;
    for (let t = 0; t < 80; t++) {
      const sigma1 = rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n);
      const choose = (e & f) ^ (~e & MASK64 & g);
      const t1 = (h + sigma1 + choose + k[t] + w[t]) & MASK64;
      const sigma0 = rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n);
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (sigma0 + majority) & MASK64;
      h = g;
      g = f;
      f = e;
      e = (d + t1) & MASK64;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) & MASK64;
    }
    state[0] = (state[0] + a) & MASK64;
    state[1] = (state[1] + b) & MASK64;
    state[2] = (state[2] + c) & MASK64;
    state[3] = (state[3] + d) & MASK64;
    state[4] = (state[4] + e) & MASK64;
    state[5] = (state[5] + f) & MASK64;
    state[6] = (state[6] + g) & MASK64;
    state[7] = (state[7] + h) & MASK64;
  }

  const digest = new Uint8Array(64);
  for (let i = 0; i < 8; i++) {
    let word = state[i];
    for (let j = 7; j >= 0; j--, word >>= 8n) digest[i * 8 + j] = Number(word & 0xffn);
  }
  return digest;
}
