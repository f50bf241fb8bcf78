import Time from "time";
import type { MicrosecondClock } from "../../ports/clock";

/**
 * `Time.microseconds` (esp_timer, from the SDK's modules/base/microseconds). `waitUntil` spins:
 * sampling bursts are tens of milliseconds, shorter than any timer could schedule them, and the
 * CPU they hold is counted in firmware/README's CPU estimate.
 */
export class Esp32MicroClock implements MicrosecondClock {
  microseconds(): number {
    return Time.microseconds as number;
  }

  waitUntil(microseconds: number): void {
    while ((Time.microseconds as number) < microseconds);
  }
}
