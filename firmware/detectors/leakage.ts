import { FAULT_NONE } from "../faults";
import { EventQueue, type Detector } from "./events";
import { HoldLatch, LATCH_CLEARED, LATCH_RAISED, LATCH_STEADY } from "./hold-latch";
import { SampleRing } from "./sample-ring";
import { SensorHealth } from "./sensor-health";

/*
 * GB 14287.2-2014 (residual-current electrical fire monitoring detectors): the alarm setting is
 * adjustable within 20–1000 mA; the detector must alarm at a residual current between 80 % and
 * 100 % of its setting (the alarm value), and within 30 s once the residual current reaches the
 * setting. GB 50116-2013 §9.2.3 advises setting it at 300–500 mA; 300 mA is the default here.
 */
export const LEAKAGE_MIN_THRESHOLD_MA = 20;
export const LEAKAGE_MAX_THRESHOLD_MA = 1000;
export const LEAKAGE_DEFAULT_THRESHOLD_MA = 300;
export const LEAKAGE_MAX_RESPONSE_MS = 30_000;
/**
 * The detector decides at 90 % of the setting, the middle of GB 14287.2's 80–100 % band: a
 * current at the setting reads 10 % above the decision level, so ADC noise, the RMS estimate's
 * scatter and a calibration error of a few percent neither delay the alarm past 30 s nor let a
 * current under 80 % of the setting raise it.
 */
export const LEAKAGE_RAISE_RATIO = 0.9;
/** It clears once the current has stayed below 80 % of the setting for `clearHoldMs`. */
export const LEAKAGE_CLEAR_RATIO = 0.8;

export interface LeakageSettings {
  intervalMs: number;
  thresholdMa: number;
  /**
   * Time at or above the decision level before the alarm; with `intervalMs` at most 30 s. Counted
   * up while readings are at or above it and down while they are below, so one low reading takes
   * one interval back instead of restarting the hold.
   */
  holdMs: number;
  /** It clears after staying below 80 % of the threshold this long. */
  clearHoldMs: number;
}

const EVIDENCE_SAMPLES = 32;
const FAULT_HOLD_MS = 5_000;
const FAULT_CLEAR_MS = 60_000;

/**
 * Residual current (earth leakage) against a settable threshold. The raise side is an up/down
 * timer rather than a "held continuously" latch: at a current sitting exactly on the setting, a
 * continuous hold is restarted by any reading the noise pushes under the level, and the alarm can
 * miss GB 14287.2's 30 s; the up/down timer only slows by the share of low readings. The
 * worst-case response, from the step to the alarm, is one sampling interval (the step lands just
 * after a reading) plus the hold, which the config keeps within 30 s.
 */
export class LeakageDetector implements Detector {
  readonly events = new EventQueue();
  readonly unit = "mA";
  readonly sensor = "leakage";
  readonly evidenceIntervalMs: number;
  leakageMa = 0;
  /** Time counted towards the alarm, ms (the up/down timer); −1 while nothing is counting. */
  heldMs = -1;
  #settings: LeakageSettings;
  #raiseMa: number;
  #clearMa: number;
  #clear: HoldLatch;
  #health: SensorHealth;
  #evidence = new SampleRing(EVIDENCE_SAMPLES);
  #lastTimeMs = -1;
  #reportedFault = FAULT_NONE;

  constructor(settings: LeakageSettings) {
    this.#settings = settings;
    this.evidenceIntervalMs = settings.intervalMs;
    this.#raiseMa = settings.thresholdMa * LEAKAGE_RAISE_RATIO;
    this.#clearMa = settings.thresholdMa * LEAKAGE_CLEAR_RATIO;
    // Raised by the up/down timer, so only the clear side of the latch needs a hold.
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

  /** Takes over the alarm and fault of the detector this one replaces (a new config). */
  adopt(previous: LeakageDetector): void {
    this.#clear.adopt(previous.#clear);
    this.#health.adopt(previous.#health);
    this.#reportedFault = previous.#reportedFault;
  }

  update(leakageMa: number, timeMs: number, driverFault: number = FAULT_NONE): number {
    const events = this.events;
    const s = this.#settings;
    events.count = 0;
    // A missed reading counts as one interval at most, so a stalled timer cannot jump the hold.
    const dtMs = this.#lastTimeMs < 0 ? s.intervalMs : Math.min(timeMs - this.#lastTimeMs, 2 * s.intervalMs);
    this.#lastTimeMs = timeMs;
    const health = this.#health;
    const change = health.update(leakageMa, driverFault, timeMs);
    if (change !== LATCH_STEADY) this.#reportFault(change, leakageMa);
    if (health.suspect || leakageMa !== leakageMa) return events.count;

    this.leakageMa = leakageMa;
    const ring = this.#evidence;
    ring.values[ring.next] = leakageMa;
    ring.next = (ring.next + 1) & ring.mask;
    if (ring.count <= ring.mask) ring.count++;

    const latch = this.#clear;
    if (!latch.active) {
      if (leakageMa >= this.#raiseMa) this.heldMs = this.heldMs < 0 ? 0 : this.heldMs + dtMs;
      else if (this.heldMs >= 0) this.heldMs = this.heldMs >= dtMs ? this.heldMs - dtMs : -1;
      if (this.heldMs >= s.holdMs) {
        latch.active = true;
        this.heldMs = -1;
        events.push("leakage", "alarm", "raised", leakageMa, s.thresholdMa);
      }
      return events.count;
    }
    if (latch.update(false, leakageMa < this.#clearMa, timeMs) === LATCH_CLEARED) events.push("leakage", "alarm", "cleared", leakageMa, this.#clearMa);
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
    const s = this.#settings;
    return {
      leakageMa: Math.round(this.leakageMa * 10) / 10,
      thresholdMa: s.thresholdMa,
      raiseAtMa: Math.round(this.#raiseMa * 10) / 10,
      heldMs: this.heldMs < 0 ? 0 : this.heldMs,
      holdMs: s.holdMs,
    };
  }
}
