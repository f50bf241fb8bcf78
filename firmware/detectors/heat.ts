import { FAULT_NONE, FAULT_OUT_OF_RANGE } from "../faults";
import { EventQueue, type Detector } from "./events";
import { LATCH_STEADY } from "./hold-latch";
import { SampleRing } from "./sample-ring";
import { pushSensorFault } from "./sensor-fault";
import { SensorHealth } from "./sensor-health";

export interface HeatSettings {
  intervalMs: number;
  /** Static response temperature; EN 54-5 class A1 requires 54–65 °C. */
  staticC: number;
  /** Rate of rise that alarms once sustained for `rateHoldMs`. */
  rateKPerMin: number;
  /** The rate is the temperature difference across this window. */
  rateWindowMs: number;
  rateHoldMs: number;
  /** Readings at or above `staticC` for this long raise the static element. */
  staticHoldMs: number;
  clearHoldMs: number;
  /** Readings outside this range are a sensor fault, not a temperature. */
  minValidC: number;
  maxValidC: number;
  stuckMs: number;
  noiseLimitC: number;
}

/*
 * EN 54-5:2000+A1:2002, Table 1 (classification): class A1 has a typical application temperature
 * of 25 °C, a maximum application temperature of 50 °C and a static response temperature between
 * 54 and 65 °C. Table 5 (response-time limits for class A1 detectors, heated from 25 °C at the
 * rates below; GB 4716-2005 and ISO 7240-5 use the same limits):
 *
 *   rate of rise   lower limit    upper limit
 *     1 K/min      29 min  0 s    40 min 20 s
 *     3 K/min       7 min 13 s    13 min 40 s
 *     5 K/min       4 min  9 s     8 min 20 s
 *    10 K/min       1 min  0 s     4 min 20 s
 *    20 K/min       0 min 30 s     2 min 20 s
 *    30 K/min       0 min 20 s     1 min 40 s
 *
 * The lower limits at 10–30 K/min are a 10 K rise, and at 1–5 K/min a rise of 21–29 K, so an
 * element that fires on rate alone must wait for 10 K of rise and stay silent at 5 K/min.
 * Defaults: static 58 °C (33 K above 25 °C: 33 min at 1 K/min, 6 min 36 s at 5 K/min, both
 * inside their windows with margin for the sensor's lag); rate ≥ 8 K/min over a 60 s window held
 * for 20 s, which first holds after 8/r·60 + 20 s — 36 s at 30 K/min, 44 s at 20, 68 s at 10 —
 * and never at 5 K/min. Suffix R: the rate element makes the detector respond to fast rises even
 * from well below 25 °C, where the static element alone would be late.
 */
export const EN54_5_A1_RESPONSE_LIMITS_S: ReadonlyArray<{ rateKPerMin: number; lowerS: number; upperS: number }> = [
  { rateKPerMin: 1, lowerS: 29 * 60, upperS: 40 * 60 + 20 },
  { rateKPerMin: 3, lowerS: 7 * 60 + 13, upperS: 13 * 60 + 40 },
  { rateKPerMin: 5, lowerS: 4 * 60 + 9, upperS: 8 * 60 + 20 },
  { rateKPerMin: 10, lowerS: 60, upperS: 4 * 60 + 20 },
  { rateKPerMin: 20, lowerS: 30, upperS: 2 * 60 + 20 },
  { rateKPerMin: 30, lowerS: 20, upperS: 60 + 40 },
];

export const HEAT_ELEMENT_NONE = 0;
export const HEAT_ELEMENT_STATIC = 1;
export const HEAT_ELEMENT_RATE = 2;

/**
 * Readings averaged into the value the elements decide on (a power of two). A sensor with
 * σ ≈ 0.2 °C of noise then puts about 0.1 °C on the decided value and 0.15 K/min on the rate;
 * the average lags a ramp by 1.5 samples, which only moves the response later, away from
 * EN 54-5's lower limits.
 */
export const HEAT_FILTER_SAMPLES = 4;
/**
 * The rate element also wants the rise to be going on now: across the newest sixth of the rate
 * window (10 s of 60) the filtered temperature must have risen at least half the threshold rate.
 * A fire's ramp does both at once; an instant step (an oven door, a heater's blast on a bare,
 * fast sensor) fills the whole window's difference at once but the newest sixth only until it
 * has passed through it, which is shorter than the rate hold (the config checks that), so a step
 * alone never holds the rate element, however tall. A step that lands above the static
 * temperature is the static element's business.
 */
export const HEAT_RECENT_SHARE = 1 / 6;

/** The alarm clears once the air is this far below the static temperature and no longer rising fast. */
const CLEAR_BAND_K = 5;
const EVIDENCE_SAMPLES = 32;
const FAULT_HOLD_MS = 5_000;
const FAULT_CLEAR_MS = 60_000;

/** Samples across the newest part of the rate window for `settings`. */
export function heatRecentSamples(settings: Pick<HeatSettings, "rateWindowMs" | "intervalMs">): number {
  return Math.max(1, Math.round((settings.rateWindowMs * HEAT_RECENT_SHARE) / settings.intervalMs));
}

/**
 * Heat, EN 54-5 class A1R: a static element (temperature ≥ `staticC`) and a rate-of-rise element
 * (the rise across `rateWindowMs`, in K/min, ≥ `rateKPerMin`, and still rising across its newest
 * sixth), either of which raises one `heat` alarm; `detector.element` in the alarm says which.
 * Both decide on the average of the last four readings. Temperatures come from the NTC or the
 * I2C sensor; an open, shorted, silent, stuck or out-of-range sensor is a `sensor-fault`, and
 * while it lasts nothing is decided and the rate window restarts, so a reconnection is not a
 * rise. A noisy sensor is reported as a fault too, but the detector keeps deciding on the
 * averaged value: a fire detector degrades rather than going blind.
 */
export class HeatDetector implements Detector {
  readonly events = new EventQueue();
  readonly unit = "°C";
  readonly sensor: string;
  readonly evidenceIntervalMs: number;
  active = false;
  element = HEAT_ELEMENT_NONE;
  /** The filtered temperature the elements decide on. */
  temperatureC = NaN;
  rateKPerMin = 0;
  #settings: HeatSettings;
  #health: SensorHealth;
  /** Filtered temperatures: the rate window. */
  #ring: SampleRing;
  /** Raw readings, for the evidence (while the sensor is blind too). */
  #evidence = new SampleRing(EVIDENCE_SAMPLES);
  #filter = new Float64Array(HEAT_FILTER_SAMPLES);
  #filterNext = 0;
  #filterCount = 0;
  #filterSum = 0;
  #windowSamples: number;
  #recentSamples: number;
  #perMinute: number;
  /** The rise across the newest samples that counts as still rising, K. */
  #recentRiseK: number;
  #staticSinceMs = -1;
  #rateSinceMs = -1;
  #clearSinceMs = -1;

  constructor(settings: HeatSettings, sensor: string) {
    this.#settings = settings;
    this.sensor = sensor;
    this.evidenceIntervalMs = settings.intervalMs;
    this.#windowSamples = Math.max(1, Math.round(settings.rateWindowMs / settings.intervalMs));
    this.#recentSamples = heatRecentSamples(settings);
    this.#perMinute = 60_000 / (this.#windowSamples * settings.intervalMs);
    this.#recentRiseK = (settings.rateKPerMin / 2) * ((this.#recentSamples * settings.intervalMs) / 60_000);
    this.#ring = new SampleRing(this.#windowSamples + 1);
    this.#health = new SensorHealth({
      stuckMs: settings.stuckMs,
      noiseLimit: settings.noiseLimitC,
      raiseHoldMs: FAULT_HOLD_MS,
      clearHoldMs: FAULT_CLEAR_MS,
    });
  }

  get fault(): number {
    return this.#health.fault;
  }

  /** Takes over the alarm and fault states of the detector this one replaces (a new config). */
  adopt(previous: HeatDetector): void {
    this.active = previous.active;
    this.element = previous.element;
    this.#health.adopt(previous.#health);
  }

  /** `temperatureC` NaN without a fault is a reading not ready yet: it is skipped. */
  update(temperatureC: number, timeMs: number, driverFault: number = FAULT_NONE): number {
    const events = this.events;
    const s = this.#settings;
    events.count = 0;
    const valid = temperatureC === temperatureC;
    if (driverFault === FAULT_NONE && !valid) return 0;

    const immediate =
      driverFault !== FAULT_NONE ? driverFault : temperatureC < s.minValidC || temperatureC > s.maxValidC ? FAULT_OUT_OF_RANGE : FAULT_NONE;
    const health = this.#health;
    const change = health.update(temperatureC, immediate, timeMs);
    if (change !== LATCH_STEADY) pushSensorFault(events, health, change, valid ? temperatureC : 0, s.staticC);
    const evidence = this.#evidence;
    if (valid) {
      evidence.values[evidence.next] = temperatureC;
      evidence.next = (evidence.next + 1) & evidence.mask;
      if (evidence.count <= evidence.mask) evidence.count++;
    }
    if (health.blind) {
      this.#ring.clear();
      this.#filterCount = this.#filterNext = this.#filterSum = 0;
      this.#staticSinceMs = this.#rateSinceMs = this.#clearSinceMs = -1;
      return events.count;
    }

    // The average of the last HEAT_FILTER_SAMPLES readings, kept as a running sum.
    const filter = this.#filter;
    const slot = this.#filterNext;
    if (this.#filterCount < HEAT_FILTER_SAMPLES) this.#filterCount++;
    else this.#filterSum -= filter[slot];
    this.#filterSum += temperatureC;
    filter[slot] = temperatureC;
    this.#filterNext = (slot + 1) & (HEAT_FILTER_SAMPLES - 1);
    const filteredC = (this.temperatureC = this.#filterSum / this.#filterCount);

    const ring = this.#ring;
    const values = ring.values;
    values[ring.next] = filteredC;
    ring.next = (ring.next + 1) & ring.mask;
    if (ring.count <= ring.mask) ring.count++;
    const n = this.#windowSamples;
    const rate = (this.rateKPerMin = ring.count > n ? (filteredC - values[(ring.next - 1 - n) & ring.mask]) * this.#perMinute : 0);
    const rising = rate >= s.rateKPerMin && filteredC - values[(ring.next - 1 - this.#recentSamples) & ring.mask] >= this.#recentRiseK;

    if (filteredC >= s.staticC) {
      if (this.#staticSinceMs < 0) this.#staticSinceMs = timeMs;
    } else this.#staticSinceMs = -1;
    if (rising) {
      if (this.#rateSinceMs < 0) this.#rateSinceMs = timeMs;
    } else this.#rateSinceMs = -1;

    if (!this.active) {
      const staticDue = this.#staticSinceMs >= 0 && timeMs - this.#staticSinceMs >= s.staticHoldMs;
      if (staticDue || (this.#rateSinceMs >= 0 && timeMs - this.#rateSinceMs >= s.rateHoldMs)) {
        this.active = true;
        this.element = staticDue ? HEAT_ELEMENT_STATIC : HEAT_ELEMENT_RATE;
        this.#clearSinceMs = -1;
        events.push("heat", "alarm", "raised", filteredC, s.staticC);
      }
    } else if (filteredC < s.staticC - CLEAR_BAND_K && rate < s.rateKPerMin / 2) {
      if (this.#clearSinceMs < 0) this.#clearSinceMs = timeMs;
      if (timeMs - this.#clearSinceMs >= s.clearHoldMs) {
        this.active = false;
        this.element = HEAT_ELEMENT_NONE;
        this.#clearSinceMs = -1;
        events.push("heat", "alarm", "cleared", filteredC, s.staticC - CLEAR_BAND_K);
      }
    } else this.#clearSinceMs = -1;
    return events.count;
  }

  /** The last raw readings, oldest first. */
  evidence(): number[] {
    return this.#evidence.evidence(2);
  }

  snapshot(): Record<string, number> {
    const s = this.#settings;
    return {
      temperatureC: round(this.temperatureC),
      rateKPerMin: round(this.rateKPerMin),
      element: this.element,
      staticC: s.staticC,
      rateThresholdKPerMin: s.rateKPerMin,
      faultCode: this.fault,
    };
  }
}

function round(value: number): number {
  return value === value ? Math.round(value * 100) / 100 : 0;
}
