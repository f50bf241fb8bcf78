import { FAULT_NONE } from "../faults";
import { EventQueue, type Detector } from "./events";
import { HoldLatch, LATCH_CLEARED, LATCH_RAISED, LATCH_STEADY } from "./hold-latch";
import { SampleRing } from "./sample-ring";
import { SensorHealth } from "./sensor-health";

/*
 * Inverse-time characteristics of IEC 60255-151:2009 (Table 1), t(G) = TMS · k / ((G/Gs)^α − 1):
 *   standard (normal) inverse  k = 0.14,  α = 0.02
 *   very inverse               k = 13.5,  α = 1
 *   extremely inverse          k = 80,    α = 2
 *   long-time inverse          k = 120,   α = 1
 */
export const OVERCURRENT_CURVES = {
  "standard-inverse": { k: 0.14, alpha: 0.02 },
  "very-inverse": { k: 13.5, alpha: 1 },
  "extremely-inverse": { k: 80, alpha: 2 },
  "long-time-inverse": { k: 120, alpha: 1 },
} as const;
export type OvercurrentCurve = keyof typeof OVERCURRENT_CURVES;

export interface OvercurrentSettings {
  intervalMs: number;
  /** Setting Is: the current above which the curve starts counting, A RMS. */
  pickupA: number;
  curve: OvercurrentCurve;
  /** Time multiplier setting (TMS) applied to the curve. */
  timeMultiplier: number;
  /** Below pickup, time for a full accumulator to drain back to zero. */
  resetMs: number;
  /** The alarm clears after the current stays below 90 % of pickup this long. */
  clearHoldMs: number;
}

const CLEAR_RATIO = 0.9;
const EVIDENCE_SAMPLES = 32;
const FAULT_HOLD_MS = 5_000;
const FAULT_CLEAR_MS = 60_000;

/**
 * Overcurrent on an inverse time–current curve, integrated as a trip accumulator: each sample
 * above pickup adds Δt / t(I), and the alarm trips when the sum reaches 1. So a current held
 * constant trips after exactly t(I); a motor's inrush (several times pickup for a second or two)
 * and short spikes add a fraction and drain away below pickup (over `resetMs`), while a sustained
 * overload keeps adding until it trips. The CT channel's faults come in as `fault` and are
 * reported as `sensor-fault`.
 */
export class OvercurrentDetector implements Detector {
  readonly events = new EventQueue();
  readonly unit = "A";
  readonly sensor = "ct";
  readonly evidenceIntervalMs: number;
  accumulator = 0;
  currentA = 0;
  #settings: OvercurrentSettings;
  #k: number;
  #alpha: number;
  #clear: HoldLatch;
  #health: SensorHealth;
  #evidence = new SampleRing(EVIDENCE_SAMPLES);
  #lastTimeMs = -1;
  #reportedFault = FAULT_NONE;

  constructor(settings: OvercurrentSettings) {
    this.#settings = settings;
    this.evidenceIntervalMs = settings.intervalMs;
    const curve = OVERCURRENT_CURVES[settings.curve];
    this.#k = curve.k * settings.timeMultiplier;
    this.#alpha = curve.alpha;
    // Raised by the accumulator, so only the clear side of the latch needs a hold.
    this.#clear = new HoldLatch(0, settings.clearHoldMs);
    this.#health = new SensorHealth({ stuckMs: 0, noiseLimit: Infinity, raiseHoldMs: FAULT_HOLD_MS, clearHoldMs: FAULT_CLEAR_MS });
  }

  get active(): boolean {
    return this.#clear.active;
  }

  /** The channel's latched fault, 0 while healthy. */
  get fault(): number {
    return this.#health.fault;
  }

  /** Takes over the trip, the accumulator and the fault of the detector this one replaces (a new config). */
  adopt(previous: OvercurrentDetector): void {
    this.#clear.adopt(previous.#clear);
    this.accumulator = previous.accumulator;
    this.#health.adopt(previous.#health);
    this.#reportedFault = previous.#reportedFault;
  }

  /** Seconds the curve gives for a constant `currentA`; Infinity at or below pickup. */
  tripTimeS(currentA: number): number {
    const ratio = currentA / this.#settings.pickupA;
    return ratio > 1 ? this.#k / (Math.pow(ratio, this.#alpha) - 1) : Infinity;
  }

  update(currentA: number, timeMs: number, driverFault: number = FAULT_NONE): number {
    const events = this.events;
    const s = this.#settings;
    events.count = 0;
    const dtMs = this.#lastTimeMs < 0 ? s.intervalMs : Math.min(timeMs - this.#lastTimeMs, 2 * s.intervalMs);
    this.#lastTimeMs = timeMs;
    const health = this.#health;
    const change = health.update(currentA, driverFault, timeMs);
    if (change !== LATCH_STEADY) this.#reportFault(change, currentA);
    if (health.suspect || currentA !== currentA) return events.count;

    this.currentA = currentA;
    const ring = this.#evidence;
    ring.values[ring.next] = currentA;
    ring.next = (ring.next + 1) & ring.mask;
    if (ring.count <= ring.mask) ring.count++;

    const ratio = currentA / s.pickupA;
    if (ratio > 1) {
      this.accumulator += dtMs / 1000 / (this.#k / (Math.pow(ratio, this.#alpha) - 1));
    } else if (this.accumulator > 0) {
      this.accumulator -= dtMs / s.resetMs;
      if (this.accumulator < 0) this.accumulator = 0;
    }

    const latch = this.#clear;
    if (latch.active || latch.sinceMs >= 0 || this.accumulator >= 1) {
      const state = latch.update(this.accumulator >= 1, currentA < s.pickupA * CLEAR_RATIO, timeMs);
      if (state === LATCH_RAISED) {
        events.push("overcurrent", "alarm", "raised", currentA, s.pickupA);
      } else if (state === LATCH_CLEARED) {
        this.accumulator = 0;
        events.push("overcurrent", "alarm", "cleared", currentA, s.pickupA * CLEAR_RATIO);
      }
    }
    return events.count;
  }

  #reportFault(change: number, currentA: number): void {
    const fault = this.#health.fault;
    if (change === LATCH_RAISED) {
      this.#reportedFault = fault;
      this.events.push("sensor-fault", "warning", "raised", 0, this.#settings.pickupA, fault);
    } else {
      this.events.push("sensor-fault", "warning", "cleared", currentA === currentA ? currentA : 0, this.#settings.pickupA, this.#reportedFault);
    }
  }

  evidence(): number[] {
    return this.#evidence.evidence(2);
  }

  snapshot(): Record<string, number> {
    const s = this.#settings;
    return {
      accumulator: Math.round(this.accumulator * 1000) / 1000,
      currentA: Math.round(this.currentA * 100) / 100,
      pickupA: s.pickupA,
      timeMultiplier: s.timeMultiplier,
      tripTimeS: Math.min(Math.round(this.tripTimeS(this.currentA) * 10) / 10, 1e9),
    };
  }
}
