export const LATCH_STEADY = 0;
export const LATCH_RAISED = 1;
export const LATCH_CLEARED = 2;
export type LatchChange = typeof LATCH_STEADY | typeof LATCH_RAISED | typeof LATCH_CLEARED;

/**
 * Hysteresis with a minimum hold, in time rather than samples so a changed sampling rate keeps
 * its meaning: the latch turns active once `raiseWhen` has held for `raiseHoldMs`, and idle again
 * once `clearWhen` has held for `clearHoldMs`. The two conditions are separate thresholds (the
 * hysteresis band lies between them), so a value dancing on one threshold gives one change, not a
 * hundred. Allocates nothing.
 *
 * `active` and `sinceMs` are plain fields so a per-sample caller can skip the call while nothing
 * is under way: with `!active && sinceMs < 0`, `update(false, …)` changes nothing.
 */
export class HoldLatch {
  active = false;
  /** When the current push towards a change began, or −1. Read it; only `update` writes it. */
  sinceMs = -1;
  raiseHoldMs: number;
  clearHoldMs: number;

  constructor(raiseHoldMs: number, clearHoldMs: number) {
    this.raiseHoldMs = raiseHoldMs;
    this.clearHoldMs = clearHoldMs;
  }

  update(raiseWhen: boolean, clearWhen: boolean, timeMs: number): LatchChange {
    const pushing = this.active ? clearWhen : raiseWhen;
    if (!pushing) {
      this.sinceMs = -1;
      return LATCH_STEADY;
    }
    if (this.sinceMs < 0) this.sinceMs = timeMs;
    if (timeMs - this.sinceMs < (this.active ? this.clearHoldMs : this.raiseHoldMs)) return LATCH_STEADY;
    this.sinceMs = -1;
    this.active = !this.active;
    return this.active ? LATCH_RAISED : LATCH_CLEARED;
  }

  /** How long the current push towards a change has lasted, 0 when there is none. */
  pushingForMs(timeMs: number): number {
    return this.sinceMs < 0 ? 0 : timeMs - this.sinceMs;
  }

  /** Takes over another latch's state (a detector rebuilt for a new config keeps its alarms). */
  adopt(previous: HoldLatch): void {
    this.active = previous.active;
    this.sinceMs = -1;
  }

  reset(): void {
    this.active = false;
    this.sinceMs = -1;
  }
}
