import { FAULT_NONE } from "../faults";
import { EventQueue, type Detector } from "./events";
import { HoldLatch, LATCH_CLEARED, LATCH_RAISED, LATCH_STEADY } from "./hold-latch";
import { SampleRing } from "./sample-ring";
import { SensorHealth } from "./sensor-health";

/*
 * GB 14287.2-2014 (residual-current electrical fire monitoring detectors): the alarm setting is
 * adjustable within 20–1000 mA and the detector alarms within 30 s once the residual current
 * reaches it. GB 50116-2013 §9.2.3 advises setting it at 300–500 mA; 300 mA is the default here.
 */
export const LEAKAGE_MIN_THRESHOLD_MA = 20;
export const LEAKAGE_MAX_THRESHOLD_MA = 1000;
export const LEAKAGE_DEFAULT_THRESHOLD_MA = 300;
export const LEAKAGE_MAX_RESPONSE_MS = 30_000;

export interface LeakageSettings {
  intervalMs: number;
  thresholdMa: number;
  /** How long the residual current must stay at or above the threshold; with `intervalMs` at most 30 s. */
  holdMs: number;
  /** It clears after staying below 80 % of the threshold this long. */
  clearHoldMs: number;
}

const CLEAR_RATIO = 0.8;
const EVIDENCE_SAMPLES = 32;
const FAULT_HOLD_MS = 5_000;
const FAULT_CLEAR_MS = 60_000;

/**
 * Residual current (earth leakage) against a settable threshold with hold and hysteresis. The
 * worst-case response, from the step to the alarm, is one sampling interval (the step lands just
 * after a burst) plus the hold, which the config keeps within GB 14287.2's 30 s.
 */
export class LeakageDetector implements Detector {
  readonly events = new EventQueue();
  readonly unit = "mA";
  readonly sensor = "leakage";
  readonly evidenceIntervalMs: number;
  leakageMa = 0;
  #settings: LeakageSettings;
  #latch: HoldLatch;
  #health: SensorHealth;
  #evidence = new SampleRing(EVIDENCE_SAMPLES);
  #reportedFault = FAULT_NONE;

  constructor(settings: LeakageSettings) {
    this.#settings = settings;
    this.evidenceIntervalMs = settings.intervalMs;
    this.#latch = new HoldLatch(settings.holdMs, settings.clearHoldMs);
    this.#health = new SensorHealth({ stuckMs: 0, noiseLimit: Infinity, raiseHoldMs: FAULT_HOLD_MS, clearHoldMs: FAULT_CLEAR_MS });
  }

  get active(): boolean {
    return this.#latch.active;
  }

  /** The channel's latched fault, 0 while healthy. */
  get fault(): number {
    return this.#health.fault;
  }

  /** Takes over the alarm and fault of the detector this one replaces (a new config). */
  adopt(previous: LeakageDetector): void {
    this.#latch.adopt(previous.#latch);
    this.#health.adopt(previous.#health);
    this.#reportedFault = previous.#reportedFault;
  }

  update(leakageMa: number, timeMs: number, driverFault: number = FAULT_NONE): number {
    const events = this.events;
    const s = this.#settings;
    events.count = 0;
    const health = this.#health;
    const change = health.update(leakageMa, driverFault, timeMs);
    if (change !== LATCH_STEADY) this.#reportFault(change, leakageMa);
    if (health.suspect || leakageMa !== leakageMa) return events.count;

    this.leakageMa = leakageMa;
    const ring = this.#evidence;
    ring.values[ring.next] = leakageMa;
    ring.next = (ring.next + 1) & ring.mask;
    if (ring.count <= ring.mask) ring.count++;

    const latch = this.#latch;
    if (latch.active || latch.sinceMs >= 0 || leakageMa >= s.thresholdMa) {
      const state = latch.update(leakageMa >= s.thresholdMa, leakageMa < s.thresholdMa * CLEAR_RATIO, timeMs);
      if (state === LATCH_RAISED) events.push("leakage", "alarm", "raised", leakageMa, s.thresholdMa);
      else if (state === LATCH_CLEARED) events.push("leakage", "alarm", "cleared", leakageMa, s.thresholdMa * CLEAR_RATIO);
    }
    return events.count;
  }

  #reportFault(change: number, leakageMa: number): void {
    const fault = this.#health.fault;
    if (change === LATCH_RAISED) {
      this.#reportedFault = fault;
      this.events.push("sensor-fault", "warning", "raised", 0, this.#settings.thresholdMa, fault);
    } else {
      this.events.push("sensor-fault", "warning", "cleared", leakageMa === leakageMa ? leakageMa : 0, this.#settings.thresholdMa, this.#reportedFault);
    }
  }

  evidence(): number[] {
    return this.#evidence.evidence(1);
  }

  snapshot(): Record<string, number> {
    return { leakageMa: Math.round(this.leakageMa * 10) / 10, thresholdMa: this.#settings.thresholdMa, holdMs: this.#settings.holdMs };
  }
}
