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

/**
 * Microseconds for sampling bursts that must land on a mains waveform's whole cycles. On the
 * ESP32 it is `Time.microseconds` (esp_timer) and `waitUntil` spins until then, so a burst holds
 * the CPU for its length; the simulator jumps its clock instead.
 */
export interface MicrosecondClock {
  microseconds(): number;
  waitUntil(microseconds: number): void;
}
