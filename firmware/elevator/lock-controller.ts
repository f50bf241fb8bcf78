import type { ReleasedBy } from "../../shared/events";

/**
 * The elevator lock's decision, apart from any pin: given what the inputs say at `nowMs`, should
 * the relay hold the car, and did a hold just start or end?
 *
 * Modes: DISARMED (will not hold), ARMED (holds on a confirmed e-bike), HOLDING.
 * - It starts DISARMED, and returns to DISARMED after a hold ends by max-hold, override, fault or
 *   disable. From DISARMED it arms only once every input has settled and the detector, alive,
 *   reports the car clear. So after a restart, a maximum hold or a fault, the same e-bike cannot
 *   re-lock the car: it must leave first. A crash loop therefore cannot keep a car held.
 * - A hold ends (releasing the relay) on the first of: override key on, lock disabled, fault
 *   (detector heartbeat lost, relay sense disagreeing), max hold reached, e-bike gone.
 * Nothing here can hold the relay without the node's tick running: the caller drives the relay
 * from `holding` every tick, and the hardware drops it when the ticks stop.
 */
export const LOCK_DISARMED = 0;
export const LOCK_ARMED = 1;
export const LOCK_HOLDING = 2;
export type LockMode = typeof LOCK_DISARMED | typeof LOCK_ARMED | typeof LOCK_HOLDING;

export const STEP_NONE = 0;
export const STEP_HOLD_STARTED = 1;
export const STEP_HOLD_ENDED = 2;
export const STEP_ARMED = 3;
export type LockStep = typeof STEP_NONE | typeof STEP_HOLD_STARTED | typeof STEP_HOLD_ENDED | typeof STEP_ARMED;

/** Filled in by the caller before each step; one object, reused. */
export interface LockInputs {
  /** Every debounced input has settled and the detector's state is known. */
  ready: boolean;
  /** A confirmed e-bike in the car (debounced). */
  ebike: boolean;
  /** Something the lock relies on is broken (detector lost, relay sense disagreeing). */
  fault: boolean;
  /** The maintenance key is turned. */
  override: boolean;
  enabled: boolean;
}

export function newLockInputs(): LockInputs {
  return { ready: false, ebike: false, fault: false, override: false, enabled: true };
}

export class LockController {
  readonly maxHoldMs: number;
  mode: LockMode = LOCK_DISARMED;
  holdStartedMs = 0;
  /** Valid after STEP_HOLD_ENDED. */
  releasedBy: ReleasedBy = "clear";
  /** Valid after STEP_HOLD_ENDED. */
  heldMs = 0;

  constructor(options: { maxHoldMs: number }) {
    if (!(options.maxHoldMs > 0)) throw new RangeError("maxHoldMs must be positive");
    this.maxHoldMs = options.maxHoldMs;
  }

  get holding(): boolean {
    return this.mode === LOCK_HOLDING;
  }

  step(nowMs: number, inputs: LockInputs): LockStep {
    const blocked = inputs.override || !inputs.enabled || inputs.fault || !inputs.ready;
    if (this.mode === LOCK_HOLDING) {
      if (blocked) return this.#release(nowMs, inputs.override ? "override" : !inputs.enabled ? "disabled" : "fault", LOCK_DISARMED);
      if (nowMs - this.holdStartedMs >= this.maxHoldMs) return this.#release(nowMs, "max-hold", LOCK_DISARMED);
      if (!inputs.ebike) return this.#release(nowMs, "clear", LOCK_ARMED);
      return STEP_NONE;
    }
    if (blocked) {
      this.mode = LOCK_DISARMED;
      return STEP_NONE;
    }
    if (this.mode === LOCK_DISARMED) {
      if (inputs.ebike) return STEP_NONE;
      this.mode = LOCK_ARMED;
      return STEP_ARMED;
    }
    if (inputs.ebike) {
      this.mode = LOCK_HOLDING;
      this.holdStartedMs = nowMs;
      return STEP_HOLD_STARTED;
    }
    return STEP_NONE;
  }

  #release(nowMs: number, by: ReleasedBy, next: LockMode): LockStep {
    this.mode = next;
    this.releasedBy = by;
    this.heldMs = nowMs - this.holdStartedMs;
    return STEP_HOLD_ENDED;
  }
}
