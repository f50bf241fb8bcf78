import { FAULT_NONE, FAULT_OUT_OF_RANGE } from "../faults";
import { EventQueue, type Detector } from "./events";
import { LATCH_STEADY } from "./hold-latch";
import { SampleRing } from "./sample-ring";
import { pushSensorFault } from "./sensor-fault";
import { SensorHealth } from "./sensor-health";

/*
 * GB 14287.3-2014 (temperature-type electrical fire monitoring detectors): a temperature sensor
 * on a cable, a terminal or a breaker of the protected circuit; the alarm setting is adjustable
 * within 55–140 °C, the detector alarms at a temperature within ±5 % of its setting, and within
 * 40 s. The clause numbers and the exact test conditions (how fast the test chamber rises, what
 * "within 40 s" is counted from) could not be read here; the tests assume the setting is met
 * (a) by a slow rise, for the alarm value, and (b) by the cable stepping to the top of the ±5 %
 * band with the probe's own lag, for the response time. Check both against the standard before
 * certification work.
 */
export const CABLE_MIN_SETPOINT_C = 55;
export const CABLE_MAX_SETPOINT_C = 140;
export const CABLE_MAX_RESPONSE_MS = 40_000;
/** GB 14287.3's band for the alarm value: the setting ±5 %. */
export const CABLE_ALARM_TOLERANCE = 0.05;
/**
 * The detector decides at 98 % of the setting: inside the band with 3 % of the setting to spare
 * for the probe's error (TMP117 ±0.25 °C up to 150 °C, its bond to the terminal) on the low side
 * and 7 % on the high side, where a probe's thermal lag adds to the response time.
 */
export const CABLE_RAISE_RATIO = 0.98;
/** It clears once the cable has cooled below 90 % of the setting for `clearHoldMs`. */
export const CABLE_CLEAR_RATIO = 0.9;
/** The TMP117's specified range (datasheet SNOSD82: −55 to 150 °C): a reading outside it is a fault. */
const MIN_VALID_C = -55;
const MAX_VALID_C = 150;
/** Readings averaged into the decided value (a power of two), as the heat detector does. */
const FILTER_SAMPLES = 4;
const EVIDENCE_SAMPLES = 32;
const FAULT_HOLD_MS = 5_000;
const FAULT_CLEAR_MS = 60_000;

export interface CableTemperatureSettings {
  intervalMs: number;
  /** Alarm setting, 55–140 °C. */
  setpointC: number;
  /** Time at or above the decision level before the alarm; with the filter and the interval it must leave the 40 s. */
  holdMs: number;
  clearHoldMs: number;
  stuckMs: number;
  noiseLimitC: number;
}

/**
 * Overheating of the protected circuit's cable or terminal (GB 14287.3), one probe per circuit,
 * decided on the average of its last four readings against 98 % of the setting with a hold, and
 * cleared with hysteresis. A broken, silent or stuck probe is a `sensor-fault` (sensor `cable`)
 * and decides nothing; a noisy one is reported and still decided on, filtered.
 */
export class CableTemperatureDetector implements Detector {
  readonly events = new EventQueue();
  readonly unit = "°C";
  readonly sensor = "cable";
  readonly evidenceIntervalMs: number;
  active = false;
  /** The filtered temperature the detector decides on. */
  temperatureC = NaN;
  #settings: CableTemperatureSettings;
  #raiseC: number;
  #clearC: number;
  #health: SensorHealth;
  #evidence = new SampleRing(EVIDENCE_SAMPLES);
  #filter = new Float64Array(FILTER_SAMPLES);
  #filterNext = 0;
  #filterCount = 0;
  #filterSum = 0;
  #raiseSinceMs = -1;
  #clearSinceMs = -1;

  constructor(settings: CableTemperatureSettings) {
    this.#settings = settings;
    this.evidenceIntervalMs = settings.intervalMs;
    this.#raiseC = settings.setpointC * CABLE_RAISE_RATIO;
    this.#clearC = settings.setpointC * CABLE_CLEAR_RATIO;
    this.#health = new SensorHealth({ stuckMs: settings.stuckMs, noiseLimit: settings.noiseLimitC, raiseHoldMs: FAULT_HOLD_MS, clearHoldMs: FAULT_CLEAR_MS });
  }

  get fault(): number {
    return this.#health.fault;
  }

  /** Takes over the alarm and fault of the detector this one replaces (a new config). */
  adopt(previous: CableTemperatureDetector): void {
    this.active = previous.active;
    this.#health.adopt(previous.#health);
  }

  /** `temperatureC` NaN without a fault is a reading not ready yet: it is skipped. */
  update(temperatureC: number, timeMs: number, driverFault: number = FAULT_NONE): number {
    const events = this.events;
    const s = this.#settings;
    events.count = 0;
    const valid = temperatureC === temperatureC;
    if (driverFault === FAULT_NONE && !valid) return 0;
    const immediate = driverFault !== FAULT_NONE ? driverFault : temperatureC < MIN_VALID_C || temperatureC > MAX_VALID_C ? FAULT_OUT_OF_RANGE : FAULT_NONE;
    const health = this.#health;
    const change = health.update(temperatureC, immediate, timeMs);
    if (change !== LATCH_STEADY) pushSensorFault(events, health, change, valid ? temperatureC : 0, s.setpointC);
    if (valid) this.#evidence.push(temperatureC);
    if (health.blind) {
      this.#filterCount = this.#filterNext = this.#filterSum = 0;
      this.#raiseSinceMs = this.#clearSinceMs = -1;
      return events.count;
    }

    const filter = this.#filter;
    const slot = this.#filterNext;
    if (this.#filterCount < FILTER_SAMPLES) this.#filterCount++;
    else this.#filterSum -= filter[slot];
    this.#filterSum += temperatureC;
    filter[slot] = temperatureC;
    this.#filterNext = (slot + 1) & (FILTER_SAMPLES - 1);
    const filteredC = (this.temperatureC = this.#filterSum / this.#filterCount);

    if (!this.active) {
      if (filteredC < this.#raiseC) {
        this.#raiseSinceMs = -1;
        return events.count;
      }
      if (this.#raiseSinceMs < 0) this.#raiseSinceMs = timeMs;
      if (timeMs - this.#raiseSinceMs >= s.holdMs) {
        this.active = true;
        this.#raiseSinceMs = this.#clearSinceMs = -1;
        events.push("cable-overheat", "alarm", "raised", filteredC, s.setpointC);
      }
      return events.count;
    }
    if (filteredC >= this.#clearC) {
      this.#clearSinceMs = -1;
      return events.count;
    }
    if (this.#clearSinceMs < 0) this.#clearSinceMs = timeMs;
    if (timeMs - this.#clearSinceMs >= s.clearHoldMs) {
      this.active = false;
      this.#clearSinceMs = -1;
      events.push("cable-overheat", "alarm", "cleared", filteredC, this.#clearC);
    }
    return events.count;
  }

  evidence(): number[] {
    return this.#evidence.evidence(2);
  }

  snapshot(): Record<string, number> {
    return {
      temperatureC: this.temperatureC === this.temperatureC ? Math.round(this.temperatureC * 100) / 100 : 0,
      setpointC: this.#settings.setpointC,
      raiseAtC: Math.round(this.#raiseC * 100) / 100,
      faultCode: this.fault,
    };
  }
}
