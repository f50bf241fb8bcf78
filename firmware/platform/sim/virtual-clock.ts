import type { Clock, TimerHandle, Timers } from "../../ports/clock";

interface VirtualTimer {
  dueMs: number;
  intervalMs: number;
  callback: () => void;
  live: boolean;
}

/**
 * Simulated time: it moves only when the host calls `advance`, which runs every timer that
 * falls due, in time order, with `now()` set to each timer's due time. So a test can play an
 * hour of 1 Hz sampling in one call, and the same run gives the same result every time.
 */
export class VirtualClock implements Clock, Timers {
  #now = 0;
  #timers: VirtualTimer[] = [];
  #frozen = false;

  now(): number {
    return this.#now;
  }

  set(callback: () => void, delayMs: number): TimerHandle {
    return this.#add(callback, delayMs, 0);
  }

  repeat(callback: () => void, intervalMs: number): TimerHandle {
    if (!(intervalMs > 0)) throw new RangeError("repeat interval must be positive");
    return this.#add(callback, intervalMs, intervalMs);
  }

  clear(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const timer = handle as VirtualTimer;
    timer.live = false;
    const index = this.#timers.indexOf(timer);
    if (index >= 0) this.#timers.splice(index, 1);
  }

  /**
   * A hung CPU: from now on time moves but no timer runs, so the firmware does nothing while the
   * simulated circuits around it (a relay's monostable) keep their own time.
   */
  freeze(): void {
    this.#frozen = true;
  }

  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      if (this.#frozen) break;
      const next = this.#earliest();
      if (!next || next.dueMs > until) break;
      this.#now = next.dueMs;
      if (next.intervalMs > 0) next.dueMs += next.intervalMs;
      else this.clear(next);
      next.callback();
    }
    this.#now = until;
  }

  #add(callback: () => void, delayMs: number, intervalMs: number): VirtualTimer {
    const timer: VirtualTimer = { dueMs: this.#now + Math.max(0, delayMs), intervalMs, callback, live: true };
    this.#timers.push(timer);
    return timer;
  }

  // An indexed loop: for-of would allocate an iterator and a result per step, on every timer run.
  #earliest(): VirtualTimer | undefined {
    const timers = this.#timers;
    let best: VirtualTimer | undefined;
    for (let i = 0; i < timers.length; i++) if (!best || timers[i].dueMs < best.dueMs) best = timers[i];
    return best;
  }
}
