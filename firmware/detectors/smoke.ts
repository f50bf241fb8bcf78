import { FAULT_DRIFT_LIMIT, FAULT_NONE, FAULT_OPEN, FAULT_SHORT } from "../faults";
import { EventQueue, type Detector } from "./events";
import { HoldLatch, LATCH_CLEARED, LATCH_RAISED, LATCH_STEADY } from "./hold-latch";
import { SampleRing } from "./sample-ring";
import { SensorHealth } from "./sensor-health";

export interface SmokeSettings {
  intervalMs: number;
  /** The chamber's clean-air reading from the factory, raw ADC counts. */
  baselineRaw: number;
  /** Counts above clean air, sustained for `preAlarmHoldMs`, that raise the pre-alarm. */
  preAlarmDeltaRaw: number;
  /** Counts above clean air, sustained for `alarmHoldMs`, that raise the alarm. */
  alarmDeltaRaw: number;
  preAlarmHoldMs: number;
  alarmHoldMs: number;
  /** How long the reading must stay below half a level before that level clears. */
  clearHoldMs: number;
  /** Time constant of the clean-air tracking: hours, so dust and ageing are followed and a fire is not. */
  baselineTauMs: number;
  /** How far the tracked clean air may move from the factory value before the chamber needs service. */
  maxDriftRaw: number;
  /** Readings at or below this mean a shorted photodiode or a dead amplifier. */
  shortBelowRaw: number;
  /** Readings at or above this mean an open input (the ADC at its rail), not smoke. */
  openAboveRaw: number;
  stuckMs: number;
  noiseLimitRaw: number;
}

/** Samples averaged before comparing with the levels: one noisy reading never decides (a power of two). */
const AVERAGE_SAMPLES = 4;
/** A level clears below this fraction of itself (hysteresis). */
const CLEAR_RATIO = 0.5;
/** Clean air is learnt only while the reading is within this fraction of the pre-alarm level. */
const FREEZE_RATIO = 0.25;
/** Clean air moves once a minute, on that minute's mean. */
const BASELINE_STEP_MS = 60_000;
const EVIDENCE_SAMPLES = 32;
const FAULT_HOLD_MS = 5_000;
const FAULT_CLEAR_MS = 60_000;

/**
 * Photoelectric smoke, decided on the obscuration above a clean-air baseline. The baseline
 * follows slow drift (dust and ageing raise a chamber's clean-air reading over months) with a
 * time constant of hours, and only while the reading is near it: once the reading rises by a
 * quarter of the pre-alarm level the baseline freezes, so a smouldering fire, however slow, is
 * never learnt as clean air. Drift past `maxDriftRaw` is reported as a `drift-limit` fault
 * (chamber needs cleaning) and detection carries on.
 *
 * Pre-alarm (severity "warning") and alarm (severity "alarm") are separate latches with their own
 * holds, so a kitchen puff shorter than the hold raises nothing, and each clears only after the
 * reading has stayed below half its level for `clearHoldMs`.
 */
export class SmokeDetector implements Detector {
  readonly events = new EventQueue();
  readonly unit = "raw";
  readonly sensor = "smoke";
  readonly evidenceIntervalMs: number;
  baselineRaw: number;
  averageRaw = 0;
  #settings: SmokeSettings;
  #health: SensorHealth;
  #preAlarm: HoldLatch;
  #alarm: HoldLatch;
  #evidence = new SampleRing(EVIDENCE_SAMPLES);
  #r1 = 0;
  #r2 = 0;
  #r3 = 0;
  #recentCount = 0;
  #minuteSum = 0;
  /** Trusted readings left before the clock is looked at for a baseline step. */
  #untilStep: number;
  #minuteStartMs = -1;
  /** Samples a baseline step takes at the configured rate: the clock is looked at only then. */
  #samplesPerStep: number;
  #driftFault = false;
  /** Either level latched or counting towards a change. */
  #latchesBusy = false;
  /** An average below this changes nothing: the pre-alarm level while both latches are idle, −∞ otherwise. */
  #quietBelowRaw: number;
  #reportedFault = FAULT_NONE;

  constructor(settings: SmokeSettings, learntBaselineRaw?: number) {
    this.#settings = settings;
    this.evidenceIntervalMs = settings.intervalMs;
    this.#samplesPerStep = Math.max(1, Math.floor(BASELINE_STEP_MS / settings.intervalMs));
    this.#untilStep = this.#samplesPerStep;
    this.baselineRaw = learntBaselineRaw ?? settings.baselineRaw;
    this.#quietBelowRaw = this.baselineRaw + settings.preAlarmDeltaRaw;
    this.#health = new SensorHealth({
      stuckMs: settings.stuckMs,
      noiseLimit: settings.noiseLimitRaw,
      raiseHoldMs: FAULT_HOLD_MS,
      clearHoldMs: FAULT_CLEAR_MS,
    });
    this.#preAlarm = new HoldLatch(settings.preAlarmHoldMs, settings.clearHoldMs);
    this.#alarm = new HoldLatch(settings.alarmHoldMs, settings.clearHoldMs);
  }

  get preAlarm(): boolean {
    return this.#preAlarm.active;
  }

  get alarm(): boolean {
    return this.#alarm.active;
  }

  get fault(): number {
    return this.#health.fault !== FAULT_NONE ? this.#health.fault : this.#driftFault ? FAULT_DRIFT_LIMIT : FAULT_NONE;
  }

  /**
   * Takes over the alarm, pre-alarm and fault states of the detector this one replaces (a new
   * config), so a standing alarm is neither raised twice nor left without its clear.
   */
  adopt(previous: SmokeDetector): void {
    this.#preAlarm.adopt(previous.#preAlarm);
    this.#alarm.adopt(previous.#alarm);
    this.#health.adopt(previous.#health);
    this.#reportedFault = previous.#reportedFault;
    this.#driftFault = previous.#driftFault;
    this.#latchesBusy = this.#preAlarm.active || this.#alarm.active;
    this.#quietBelowRaw = this.#latchesBusy ? -Infinity : this.baselineRaw + this.#settings.preAlarmDeltaRaw;
  }

  update(raw: number, timeMs: number): number {
    const events = this.events;
    const s = this.#settings;
    events.count = 0;
    const ring = this.#evidence;
    ring.values[ring.next] = raw;
    ring.next = (ring.next + 1) & ring.mask;
    if (ring.count <= ring.mask) ring.count++;

    const immediate = raw <= s.shortBelowRaw ? FAULT_SHORT : raw >= s.openAboveRaw ? FAULT_OPEN : FAULT_NONE;
    const health = this.#health;
    const change = health.update(raw, immediate, timeMs);
    if (change !== LATCH_STEADY) this.#reportFault(change, raw);
    // A noisy chamber is reported and still decided on: the levels compare a 4-reading average.
    if (health.blind) return events.count;

    // Average of the last AVERAGE_SAMPLES trusted readings, kept as a running sum.
    // The average of the last four trusted readings: the three before this one are kept in fields.
    const r1 = this.#r1;
    const r2 = this.#r2;
    let average = raw + r1 + r2 + this.#r3;
    this.#r3 = r2;
    this.#r2 = r1;
    this.#r1 = raw;
    if (this.#recentCount < AVERAGE_SAMPLES) {
      // The first trusted reading also starts the first baseline minute.
      if (this.#recentCount++ === 0) this.#minuteStartMs = timeMs;
      average /= this.#recentCount;
    } else average *= 1 / AVERAGE_SAMPLES;
    this.averageRaw = average;

    this.#minuteSum += raw;
    if (--this.#untilStep <= 0) this.#stepBaseline(timeMs);
    // Below the pre-alarm level with neither latch active or counting, nothing can change; the
    // alarm level is above the pre-alarm's, so one comparison covers both.
    if (average < this.#quietBelowRaw) return events.count;
    const delta = average - this.baselineRaw;
    const pre = this.#preAlarm;
    const preChange = pre.update(delta >= s.preAlarmDeltaRaw, delta <= s.preAlarmDeltaRaw * CLEAR_RATIO, timeMs);
    if (preChange === LATCH_RAISED) events.push("smoke", "warning", "raised", average, this.baselineRaw + s.preAlarmDeltaRaw);
    else if (preChange === LATCH_CLEARED) events.push("smoke", "warning", "cleared", average, this.baselineRaw + s.preAlarmDeltaRaw * CLEAR_RATIO);
    const alarm = this.#alarm;
    const alarmChange = alarm.update(delta >= s.alarmDeltaRaw, delta <= s.alarmDeltaRaw * CLEAR_RATIO, timeMs);
    if (alarmChange === LATCH_RAISED) events.push("smoke", "alarm", "raised", average, this.baselineRaw + s.alarmDeltaRaw);
    else if (alarmChange === LATCH_CLEARED) events.push("smoke", "alarm", "cleared", average, this.baselineRaw + s.alarmDeltaRaw * CLEAR_RATIO);
    this.#latchesBusy = pre.active || pre.sinceMs >= 0 || alarm.active || alarm.sinceMs >= 0;
    this.#quietBelowRaw = this.#latchesBusy ? -Infinity : this.baselineRaw + s.preAlarmDeltaRaw;
    return events.count;
  }

  evidence(): number[] {
    return this.#evidence.evidence(0);
  }

  snapshot(): Record<string, number> {
    return {
      baselineRaw: round(this.baselineRaw),
      factoryBaselineRaw: this.#settings.baselineRaw,
      averageRaw: round(this.averageRaw),
      deltaRaw: round(this.averageRaw - this.baselineRaw),
      preAlarm: this.preAlarm ? 1 : 0,
      alarm: this.alarm ? 1 : 0,
      jumpShare: round(this.#health.jumpShare),
      faultCode: this.fault,
    };
  }

  #reportFault(change: number, raw: number): void {
    const fault = this.#health.fault;
    if (change === LATCH_RAISED) {
      this.#reportedFault = fault;
      this.events.push("sensor-fault", "warning", "raised", raw, this.baselineRaw, fault);
    } else {
      this.events.push("sensor-fault", "warning", "cleared", raw, this.baselineRaw, this.#reportedFault);
    }
  }

  /** Once a minute: move clean air towards that minute's mean, unless the reading is up. */
  #stepBaseline(timeMs: number): void {
    const s = this.#settings;
    const elapsedMs = timeMs - this.#minuteStartMs;
    // Readings came faster than the interval: look again at the next one (the count runs on below 0).
    if (elapsedMs < BASELINE_STEP_MS) return;
    const mean = this.#minuteSum / (this.#samplesPerStep - this.#untilStep);
    this.#minuteSum = 0;
    this.#untilStep = this.#samplesPerStep;
    this.#minuteStartMs = timeMs;
    if (this.#preAlarm.active || this.#alarm.active) return;
    if (mean - this.baselineRaw >= s.preAlarmDeltaRaw * FREEZE_RATIO) return;
    const weight = elapsedMs >= s.baselineTauMs ? 1 : elapsedMs / s.baselineTauMs;
    this.baselineRaw += (mean - this.baselineRaw) * weight;
    if (!this.#latchesBusy) this.#quietBelowRaw = this.baselineRaw + s.preAlarmDeltaRaw;

    const drift = Math.abs(this.baselineRaw - s.baselineRaw);
    if (!this.#driftFault && drift > s.maxDriftRaw) {
      this.#driftFault = true;
      this.events.push("sensor-fault", "warning", "raised", round(this.baselineRaw), s.baselineRaw + s.maxDriftRaw, FAULT_DRIFT_LIMIT);
    } else if (this.#driftFault && drift < s.maxDriftRaw * 0.9) {
      this.#driftFault = false;
      this.events.push("sensor-fault", "warning", "cleared", round(this.baselineRaw), s.baselineRaw + s.maxDriftRaw, FAULT_DRIFT_LIMIT);
    }
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
