import { sha512 } from "./sha512";

/**
 * Ed25519 signature verification (RFC 8032 §5.1.7), in BigInt so it runs in XS on the node.
 * Only verification: the node never signs. The release key's private half stays with the
 * release CLI (Node's crypto); the node holds public keys only.
 *
 * Verification is a few thousand 255-bit multiplications. On an ESP32 that is long enough to
 * starve the sampling timers and trip the task watchdog if done in one go, so it is a state
 * machine: `step()` does one bounded slice (a point decoding, or LADDER_BITS_PER_STEP bits of
 * the double-scalar multiplication) and the caller spreads the slices over timer ticks.
 */

// RFC 8032 §5.1: the field, the group order and the curve constant.
const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

/** Bits of the scalars handled per `step()`; 253 bits in all, so about 16 slices. */
export const LADDER_BITS_PER_STEP = 16;

/** Extended homogeneous coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z (RFC 8032 §5.1.4). */
type Point = [bigint, bigint, bigint, bigint];
/** A point prepared for addition: (Y−X, Y+X, 2dT, 2Z), so each addition saves four multiplications. */
type Cached = [bigint, bigint, bigint, bigint];

interface Curve {
  d2: bigint;
  d: bigint;
  sqrtMinusOne: bigint;
  base: Point;
}
let curve: Curve | undefined;

/**
 * x mod p, skipping the division when |x| < p already. Besides saving work on small values, it
 * keeps XS's metering sound: the BigInt remainder of a number shorter than its divisor charges
 * the meter a negative amount (xsBigInt.c, fxBigInt_rem), which on a fresh crank wraps the
 * unsigned counter and aborts the machine. Hot paths multiply full-size field elements, whose
 * products are never shorter than p; everything that may see small values goes through here.
 */
function reduce(x: bigint): bigint {
  return x >= P || x <= -P ? x % P : x;
}

function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let square = reduce(base);
  while (exponent > 0n) {
    if (exponent & 1n) result = reduce(result * square);
    square = reduce(square * square);
    exponent >>= 1n;
  }
  return result;
}

function positive(value: bigint): bigint {
  const r = reduce(value);
  return r < 0n ? r + P : r;
}

function constants(): Curve {
  if (!curve) {
    const d = positive(-121665n * pow(121666n, P - 2n));
    const sqrtMinusOne = pow(2n, (P - 1n) / 4n);
    curve = { d, d2: reduce(2n * d), sqrtMinusOne, base: [0n, 0n, 1n, 0n] };
    // §5.1: B is the point with y = 4/5 and x "positive" (even).
    const y = reduce(4n * pow(5n, P - 2n));
    const x = recoverX(y, 0, curve);
    if (x === null) throw new Error("Ed25519 base point did not decode");
    curve.base = [x, y, 1n, reduce(x * y)];
  }
  return curve;
}

/** §5.1.3 steps 2–4: x from y and the sign bit, or null if no such point exists. */
function recoverX(y: bigint, sign: number, c: Curve): bigint | null {
  if (y >= P) return null;
  const y2 = reduce(y * y);
  const u = positive(y2 - 1n);
  const v = reduce(c.d * y2 + 1n);
  const v3 = reduce(v * v * v);
  const v7 = reduce(v3 * v3 * v);
  let x = reduce(reduce(u * v3) * pow(reduce(u * v7), (P - 5n) / 8n));
  const vx2 = reduce(v * x * x);
  if (vx2 !== u) {
    if (vx2 !== positive(-u)) return null;
    x = reduce(x * c.sqrtMinusOne);
  }
  if (x === 0n && sign === 1) return null;
  if (Number(x & 1n) !== sign) x = P - x;
  return x;
}

function littleEndian(bytes: Uint8Array, offset: number, length: number): bigint {
  let value = 0n;
  for (let i = offset + length - 1; i >= offset; i--) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

function decodePoint(bytes: Uint8Array, offset: number, c: Curve): Point | null {
  const sign = bytes[offset + 31] >> 7;
  const y = littleEndian(bytes, offset, 32) & ((1n << 255n) - 1n);
  const x = recoverX(y, sign, c);
  return x === null ? null : [x, y, 1n, reduce(x * y)];
}

function cache(point: Point, c: Curve): Cached {
  const [x, y, z, t] = point;
  return [reduce(y - x), reduce(y + x), reduce(c.d2 * t), reduce(2n * z)];
}

/** §5.1.4 addition (a = −1), with Q cached. Coordinates may be negative until the final comparison. */
function add(p: Point, q: Cached): Point {
  const a = ((p[1] - p[0]) * q[0]) % P;
  const b = ((p[1] + p[0]) * q[1]) % P;
  const c = (p[3] * q[2]) % P;
  const d = (p[2] * q[3]) % P;
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return [(e * f) % P, (g * h) % P, (f * g) % P, (e * h) % P];
}

/** §5.1.4 doubling. */
function double(p: Point): Point {
  const a = (p[0] * p[0]) % P;
  const b = (p[1] * p[1]) % P;
  const c = (2n * p[2] * p[2]) % P;
  const h = a + b;
  const sum = p[0] + p[1];
  const e = h - ((sum * sum) % P);
  const g = a - b;
  const f = c + g;
  return [(e * f) % P, (g * h) % P, (f * g) % P, (e * h) % P];
}

const enum Phase {
  Start,
  DecodeKey,
  Hash,
  Ladder,
  Compare,
  Done,
}

/**
 * One verification of `signature` over `message` under `publicKey` (32, any, 64 bytes),
 * advanced by `step()` until it returns true; then `valid` holds the answer. Checks
 * [S]B = R + [k]A (the cofactorless equation §5.1.7 allows), rejects S ≥ L (malleability)
 * and non-canonical or off-curve encodings of R and A.
 */
export class Ed25519Verification {
  #phase = Phase.Start;
  #valid = false;
  #publicKey: Uint8Array;
  #message: Uint8Array;
  #signature: Uint8Array;
  #r: Point | undefined;
  #a: Point | undefined;
  #sBytes = new Uint8Array(32);
  #kBytes = new Uint8Array(32);
  #table: Array<Cached | null> = [null, null, null, null];
  #points: Array<Point | null> = [null, null, null, null];
  /** The running sum; null while it is still the neutral element, which is never doubled or added to. */
  #q: Point | null = null;
  #bit = 252;

  constructor(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) {
    this.#publicKey = publicKey;
    this.#message = message;
    this.#signature = signature;
  }

  get done(): boolean {
    return this.#phase === Phase.Done;
  }

  get valid(): boolean {
    return this.#phase === Phase.Done && this.#valid;
  }

  step(): boolean {
    const c = constants();
    switch (this.#phase) {
      case Phase.Start: {
        if (this.#publicKey.length !== 32 || this.#signature.length !== 64) return this.#finish(false);
        const s = littleEndian(this.#signature, 32, 32);
        if (s >= L) return this.#finish(false);
        this.#sBytes.set(this.#signature.subarray(32, 64));
        this.#r = decodePoint(this.#signature, 0, c) ?? undefined;
        if (!this.#r) return this.#finish(false);
        this.#phase = Phase.DecodeKey;
        return false;
      }
      case Phase.DecodeKey:
        this.#a = decodePoint(this.#publicKey, 0, c) ?? undefined;
        if (!this.#a) return this.#finish(false);
        this.#phase = Phase.Hash;
        return false;
      case Phase.Hash: {
        // §5.1.7 step 2: k = SHA-512(dom2(F, C) ‖ R ‖ A ‖ PH(M)), which for Ed25519 is SHA-512(R ‖ A ‖ M).
        const input = new Uint8Array(64 + this.#message.length);
        input.set(this.#signature.subarray(0, 32), 0);
        input.set(this.#publicKey, 32);
        input.set(this.#message, 64);
        let k = littleEndian(sha512(input), 0, 64) % L;
        for (let i = 0; i < 32; i++, k >>= 8n) this.#kBytes[i] = Number(k & 0xffn);
        // Straus–Shamir: one pass over the bits of S and k computes [S]B + [k](−A).
        const a = this.#a!;
        const minusA: Point = [-a[0], a[1], a[2], -a[3]];
        const baseMinusA = add(c.base, cache(minusA, c));
        this.#points = [null, c.base, minusA, baseMinusA];
        this.#table = [null, cache(c.base, c), cache(minusA, c), cache(baseMinusA, c)];
        this.#phase = Phase.Ladder;
        return false;
      }
      case Phase.Ladder: {
        const last = Math.max(-1, this.#bit - LADDER_BITS_PER_STEP);
        let q = this.#q;
        for (let i = this.#bit; i > last; i--) {
          if (q) q = double(q);
          const index = ((this.#sBytes[i >> 3] >> (i & 7)) & 1) | (((this.#kBytes[i >> 3] >> (i & 7)) & 1) << 1);
          if (index === 0) continue;
          q = q ? add(q, this.#table[index]!) : this.#points[index]!.slice() as Point;
        }
        this.#q = q;
        this.#bit = last;
        if (last < 0) this.#phase = Phase.Compare;
        return false;
      }
      case Phase.Compare: {
        // R has Z = 1, so [S]B − [k]A = R exactly when X_Q = x_R·Z_Q and Y_Q = y_R·Z_Q.
        const q = this.#q;
        const r = this.#r!;
        const same = q === null ? r[0] === 0n && r[1] === 1n : positive(q[0] - r[0] * q[2]) === 0n && positive(q[1] - r[1] * q[2]) === 0n;
        return this.#finish(same);
      }
      case Phase.Done:
        return true;
    }
  }

  #finish(valid: boolean): true {
    this.#valid = valid;
    this.#phase = Phase.Done;
    this.#r = undefined;
    this.#a = undefined;
    this.#table = [null, null, null, null];
    this.#points = [null, null, null, null];
    this.#q = null;
    return true;
  }
}

/** Verifies in one go; for tests and the host. On the node, drive `Ed25519Verification` from a timer. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const verification = new Ed25519Verification(publicKey, message, signature);
  while (!verification.step());
  return verification.valid;
}
