import type { Clock, TimerHandle, Timers } from "../../ports/clock";
import { moddableTimers } from "../esp32/moddable-timers";
import { TicksClock } from "../esp32/ticks-clock";

/**
 * The ESP32's clock and timers (`Time.ticks`, `timer`), run `scale` times faster, so
 * `npm run bench:memory` can play an hour of a node's life (1 Hz sampling, heartbeats, telemetry,
 * backoff) in a minute on the same runtime. At scale 1 the host uses the ESP32's own objects.
 */
export class ScaledTime implements Clock, Timers {
  readonly scale: number;
  #ticks = new TicksClock();

  constructor(scale: number) {
    if (!(scale > 0)) throw new RangeError(`time scale ${scale} must be above 0`);
    this.scale = scale;
  }

  now(): number {
    return this.#ticks.now() * this.scale;
  }

  set(callback: () => void, delayMs: number): TimerHandle {
    return moddableTimers.set(callback, Math.max(0, Math.round(delayMs / this.scale)));
  }

  repeat(callback: () => void, intervalMs: number): TimerHandle {
    // A repeat of 0 ms would spin the event loop: one tick is the fastest a scaled interval goes.
    return moddableTimers.repeat(callback, Math.max(1, Math.round(intervalMs / this.scale)));
  }

  clear(handle: TimerHandle | undefined): void {
    moddableTimers.clear(handle);
  }
}
