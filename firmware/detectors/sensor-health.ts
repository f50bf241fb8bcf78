import { FAULT_NOISY, FAULT_NONE, FAULT_STUCK } from "../faults";
import { HoldLatch, LATCH_CLEARED, LATCH_RAISED, LATCH_STEADY, type LatchChange } from "./hold-latch";

export interface HealthSettings {
  /** Identical readings for this long mean a frozen ADC or sensor; 0 turns the check off. */
  stuckMs: number;
  /** A sample whose second difference |x[n] − 2x[n−1] + x[n−2]| exceeds this is a jump; Infinity turns the check off. */
  noiseLimit: number;
  /** How long a fault must persist before it is reported. */
  raiseHoldMs: number;
  /** How long the sensor must be healthy again before the fault clears. */
  clearHoldMs: number;
}

/** Weight of each sample in the jump rate: about the last 16 samples. */
const NOISE_GAIN = 1 / 16;
/** More than this share of recent samples jumping is noise. One step (a real change) makes two jumps. */
const NOISY_SHARE = 0.3;
/** Below this the jump rate is taken as zero, so a quiet sensor's update skips the arithmetic. */
const JUMP_FLOOR = 1e-3;

/**
 * Decides whether a sensor's readings can be trusted. Faults the driver sees directly (open,
 * short, no response) come in as `immediateFault`; this adds `stuck` (the exact same reading
 * repeated for `stuckMs`; real ADCs and sensors always dither by a count or two) and `noisy` (many recent
 * samples whose second difference |x[n] − 2x[n−1] + x[n−2]| exceeds `noiseLimit`: a smooth rise
 * such as a fire's has almost none, a single step two, interference or a loose contact most of
 * them). A fault is latched with hold and hysteresis, like an alarm.
 */
export class SensorHealth {
  /** The latched fault code, FAULT_NONE while healthy. */
  fault = FAULT_NONE;
  /** The fault code the latch last raised, kept once it clears so the clearing can say which fault ended. */
  raisedFault = FAULT_NONE;
  /** True when the detector should not decide on this sample: a fault seen on it, or one latched. */
  suspect = false;
  /**
   * True when the readings mean nothing (open, short, stuck, silent, out of range), seen now or
   * latched. A `noisy` sensor is suspect but not blind: its readings still carry the temperature
   * under the noise, so a fire detector keeps deciding on them filtered and reports the fault.
   */
  blind = false;
  /** Share of recent samples that jumped, 0–1. */
  jumpShare = 0;
  #stuckMs: number;
  #noiseLimit: number;
  /** False when both reading checks are off: only the driver's faults count. */
  #watchesReadings: boolean;
  #latch: HoldLatch;
  #last = NaN;
  #beforeLast = NaN;
  /** When the current run of identical readings was first seen repeated, or −1. */
  #sameSinceMs = -1;
  /** No fault latched and none pending: the latch need not be asked. */
  #idle = true;

  constructor(settings: HealthSettings) {
    this.#stuckMs = settings.stuckMs;
    this.#noiseLimit = settings.noiseLimit;
    this.#watchesReadings = settings.stuckMs > 0 || settings.noiseLimit !== Infinity;
    this.#latch = new HoldLatch(settings.raiseHoldMs, settings.clearHoldMs);
  }

  /** Takes over a latched fault from the health check this one replaces. */
  adopt(previous: SensorHealth): void {
    this.fault = previous.fault;
    this.raisedFault = previous.raisedFault;
    this.suspect = previous.fault !== FAULT_NONE;
    this.blind = this.suspect && previous.fault !== FAULT_NOISY;
    this.#latch.adopt(previous.#latch);
    this.#idle = !this.#latch.active;
  }

  update(value: number, immediateFault: number, timeMs: number): LatchChange {
    let candidate = immediateFault;
    if (candidate === FAULT_NONE && this.#watchesReadings && value === value) {
      const last = this.#last;
      if (value === last) {
        const since = this.#sameSinceMs;
        if (since < 0) this.#sameSinceMs = timeMs;
        else if (this.#stuckMs > 0 && timeMs - since >= this.#stuckMs) candidate = FAULT_STUCK;
      } else if (this.#sameSinceMs >= 0) {
        this.#sameSinceMs = -1;
      }
      const d2 = value - 2 * last + this.#beforeLast;
      this.#beforeLast = last;
      this.#last = value;
      let share = this.jumpShare;
      if ((d2 < 0 ? -d2 : d2) > this.#noiseLimit) this.jumpShare = share += (1 - share) * NOISE_GAIN;
      else if (share !== 0) this.jumpShare = share = share < JUMP_FLOOR ? 0 : share * (1 - NOISE_GAIN);
      else if (candidate === FAULT_NONE && this.#idle) return LATCH_STEADY;
      if (share > NOISY_SHARE && candidate === FAULT_NONE) candidate = FAULT_NOISY;
    }
    if (candidate === FAULT_NONE && this.#idle) {
      if (this.suspect) this.suspect = this.blind = false;
      return LATCH_STEADY;
    }
    const latch = this.#latch;
    const change = latch.update(candidate !== FAULT_NONE, candidate === FAULT_NONE, timeMs);
    this.#idle = !latch.active && latch.sinceMs < 0;
    if (change === LATCH_RAISED) this.fault = this.raisedFault = candidate;
    else if (change === LATCH_CLEARED) this.fault = FAULT_NONE;
    const fault = this.fault;
    this.suspect = candidate !== FAULT_NONE || fault !== FAULT_NONE;
    this.blind = (candidate !== FAULT_NONE && candidate !== FAULT_NOISY) || (fault !== FAULT_NONE && fault !== FAULT_NOISY);
    return change;
  }
}
