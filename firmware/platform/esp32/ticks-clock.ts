import Time from "time";
import type { Clock } from "../../ports/clock";

/**
 * Milliseconds since boot from `Time.ticks`, which wraps (a 32-bit millisecond counter wraps
 * after ~49.7 days). Accumulating `Time.delta` between reads keeps `now()` monotonic through
 * the wrap, as long as it is read more often than that — every sample does.
 */
export class TicksClock implements Clock {
  #last = Time.ticks;
  #elapsed = 0;

  now(): number {
    const ticks = Time.ticks;
    this.#elapsed += Time.delta(this.#last, ticks);
    this.#last = ticks;
    return this.#elapsed;
  }
}
