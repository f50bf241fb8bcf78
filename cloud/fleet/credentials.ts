import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 256 random bits from the OS CSPRNG, hex: device passwords and batch claim secrets. */
export function newSecret(): string {
  return randomBytes(32).toString("hex");
}

/**
 * SHA-256, hex. Every secret this hashes is 256 random bits (`newSecret`, or a node's pad), so
 * nothing can be guessed from the hash and a slow, salted KDF (scrypt, PBKDF2) would add cost
 * without adding strength: those exist for passwords people choose. The broker keeps its own
 * salted PBKDF2-SHA512 hash of each password for logins.
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Whether `secret` hashes to `hash`, compared in constant time. */
export function secretMatches(secret: string, hash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), "hex");
  const expected = Buffer.from(hash, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
