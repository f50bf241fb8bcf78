import type { Clock, MicrosecondClock } from "../../ports/clock";

/**
 * Microseconds on the virtual clock. `waitUntil` moves time forward instead of spinning, so a
 * sampling burst takes no host time; within one millisecond tick the burst's own time runs ahead
 * of the millisecond clock (bursts are validated to be a fraction of their interval, so the two
 * never cross).
 */
export class SimMicroClock implements MicrosecondClock {
  #clock: Clock;
  #nowUs = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  microseconds(): number {
    const base = this.#clock.now() * 1000;
    if (base > this.#nowUs) this.#nowUs = base;
    return this.#nowUs;
  }

  waitUntil(microseconds: number): void {
    if (microseconds > this.microseconds()) this.#nowUs = microseconds;
  }
}
