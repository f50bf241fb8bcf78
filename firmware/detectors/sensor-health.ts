import { FAULT_NOISY, FAULT_NONE, FAULT_STUCK } from "../faults";
import { HoldLatch, LATCH_CLEARED, LATCH_RAISED, type LatchChange } from "./hold-latch";

export interface HealthSettings {
  /** Identical readings for this long mean a frozen ADC or sensor; 0 turns the check off. */
  stuckMs: number;
  /** Mean absolute second difference above which the signal is noise, not a measurement. */
  noiseLimit: number;
  /** How long a fault must persist before it is reported. */
  raiseHoldMs: number;
  /** How long the sensor must be healthy again before the fault clears. */
  clearHoldMs: number;
}

/** Weight of each new second difference in the noise average: about the last 16 samples. */
const NOISE_GAIN = 1 / 16;

/**
 * Decides whether a sensor's readings can be trusted. Faults the driver sees directly (open,
 * short, no response) come in as `immediateFault`; this adds `stuck` (the exact same reading for
 * `stuckMs`; real ADCs and sensors always dither by a count or two) and `noisy` (the average
 * |x[n] − 2x[n−1] + x[n−2]|, which a smooth rise such as a fire's barely moves but interference or
 * a loose contact drives up). A fault is latched with hold and hysteresis, like an alarm.
 */
export class SensorHealth {
  /** The latched fault code, FAULT_NONE while healthy. */
  fault = FAULT_NONE;
  /** This sample's fault, before the hold: the detector skips any sample with one. */
  candidate = FAULT_NONE;
  noise = 0;
  #settings: HealthSettings;
  #latch: HoldLatch;
  #last = NaN;
  #beforeLast = NaN;
  #sameSinceMs = -1;
  #lastTimeMs = 0;

  constructor(settings: HealthSettings) {
    this.#settings = settings;
    this.#latch = new HoldLatch(settings.raiseHoldMs, settings.clearHoldMs);
  }

  /** True when the detector should not decide on this sample. */
  get suspect(): boolean {
    return this.candidate !== FAULT_NONE || this.fault !== FAULT_NONE;
  }

  update(value: number, immediateFault: number, timeMs: number): LatchChange {
    let candidate = immediateFault;
    if (candidate === FAULT_NONE && value === value) {
      const last = this.#last;
      if (value === last) {
        if (this.#sameSinceMs < 0) this.#sameSinceMs = this.#lastTimeMs;
        if (this.#settings.stuckMs > 0 && timeMs - this.#sameSinceMs >= this.#settings.stuckMs) candidate = FAULT_STUCK;
      } else {
        this.#sameSinceMs = -1;
      }
      if (this.#beforeLast === this.#beforeLast) {
        const d2 = value - 2 * last + this.#beforeLast;
        this.noise += ((d2 < 0 ? -d2 : d2) - this.noise) * NOISE_GAIN;
      }
      if (candidate === FAULT_NONE && this.noise > this.#settings.noiseLimit) candidate = FAULT_NOISY;
      this.#beforeLast = last;
      this.#last = value;
      this.#lastTimeMs = timeMs;
    }
    this.candidate = candidate;
    const change = this.#latch.update(candidate !== FAULT_NONE, candidate === FAULT_NONE, timeMs);
    if (change === LATCH_RAISED) this.fault = candidate;
    else if (change === LATCH_CLEARED) this.fault = FAULT_NONE;
    return change;
  }
}
