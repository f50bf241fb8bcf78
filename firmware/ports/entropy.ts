/**
 * Random bytes for secrets (the claim pad). On the ESP32 they come from the hardware RNG; in the
 * simulator from the host's CSPRNG. Never from a seeded generator like the one for backoff jitter.
 */
export interface Entropy {
  fill(bytes: Uint8Array): void;
}
