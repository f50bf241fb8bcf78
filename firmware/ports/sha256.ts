/**
 * A streaming SHA-256. The firmware's own (`ota/sha256.ts`) runs everywhere, including the
 * simulator's XS; a platform may hand a native one instead (the SDK's `crypt` Digest on ESP32).
 */
export interface Sha256Hasher {
  reset(): void;
  update(bytes: Uint8Array, offset: number, length: number): void;
  /** Finishes and writes the 32-byte digest into `out`. */
  digest(out: Uint8Array): Uint8Array;
}
