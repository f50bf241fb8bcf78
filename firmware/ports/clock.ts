/**
 * Time as the firmware sees it: monotonic milliseconds since boot, and timers modelled on
 * Moddable's `timer` module (`Timer.set`, `Timer.repeat`, `Timer.clear`). On the ESP32 these are
 * `Time.ticks` and `timer`; in the simulator a virtual clock the host advances, so a test can
 * run an hour of samples in milliseconds.
 */
export interface Clock {
  /** Milliseconds since boot; never goes backwards. */
  now(): number;
}

export type TimerHandle = object;

export interface Timers {
  /** Calls `callback` once after `delayMs`. */
  set(callback: () => void, delayMs: number): TimerHandle;
  /** Calls `callback` every `intervalMs`, first after `intervalMs`. */
  repeat(callback: () => void, intervalMs: number): TimerHandle;
  clear(handle: TimerHandle | undefined): void;
}

