import Timer from "timer";
import type { TimerHandle, Timers } from "../../ports/clock";

/** The firmware's timers on Moddable's `timer` module: never a blocking delay. */
export const moddableTimers: Timers = {
  set(callback: () => void, delayMs: number): TimerHandle {
    return Timer.set(callback, delayMs);
  },
  repeat(callback: () => void, intervalMs: number): TimerHandle {
    return Timer.repeat(callback, intervalMs);
  },
  clear(handle: TimerHandle | undefined): void {
    if (handle) Timer.clear(handle as Timer);
  },
};
