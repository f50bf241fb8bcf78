/**
 * The SHA-2 constants, derived from their definition in FIPS 180-4 §4.2.2, §4.2.3, §5.3.3 and
 * §5.3.5 instead of typed in: the first 32 or 64 bits of the fractional parts of the square and
 * cube roots of the first primes. Exact integer roots in BigInt make a wrong digit impossible.
 * Computed once, on the first hash, so a node that never updates never pays for them.
 */
export function firstPrimes(count: number): number[] {
  const primes: number[] = [];
  for (let candidate = 2; primes.length < count; candidate++) {
    let prime = true;
    for (const p of primes) {
      if (p * p > candidate) break;
      if (candidate % p === 0) {
        prime = false;
        break;
      }
    }
    if (prime) primes.push(candidate);
  }
  return primes;
}

/** floor(value^(1/degree)) for a non-negative BigInt, by Newton's method from above. */
export function integerRoot(value: bigint, degree: bigint): bigint {
  if (value < 2n) return value;
  let x = 1n << (BigInt(value.toString(2).length) / degree + 1n);
  for (;;) {
    const next = ((degree - 1n) * x + value / x ** (degree - 1n)) / degree;
    if (next >= x) return x;
    x = next;
  }
}

/** The first `bits` bits of the fractional part of prime^(1/degree). */
export function rootFractionBits(prime: number, degree: 2 | 3, bits: 32 | 64): bigint {
  const scaled = integerRoot(BigInt(prime) << BigInt(degree * bits), BigInt(degree));
  return scaled & ((1n << BigInt(bits)) - 1n);
}
