import type { Entropy } from "../../ports/entropy";

/**
 * Random bytes from the ESP32's hardware RNG. On ESP32 builds XS's `Math.random` is
 * `esp_random()` (Moddable xs/platforms/esp/xsHost.h defines `c_rand` with it), and the RNG is
 * true random while the radio runs (ESP32 TRM, "Random Number Generator"); a node claims only
 * once Wi-Fi is up. Each call yields 31 random bits; one byte is taken from each.
 */
export const hardwareEntropy: Entropy = {
  fill(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256) & 0xff;
  },
};
