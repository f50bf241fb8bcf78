import { CABLE_MAX_RESPONSE_MS, CABLE_MAX_SETPOINT_C, CABLE_MIN_SETPOINT_C, type CableTemperatureSettings } from "./detectors/cable-temperature";
import { HEAT_FILTER_SAMPLES, heatRecentSamples, type HeatSettings } from "./detectors/heat";
import type { ChargingSettings } from "./detectors/charging";
import { LEAKAGE_DEFAULT_THRESHOLD_MA, LEAKAGE_MAX_RESPONSE_MS, LEAKAGE_MAX_THRESHOLD_MA, LEAKAGE_MIN_THRESHOLD_MA } from "./detectors/leakage";
import type { LeakageSettings } from "./detectors/leakage";
import { OVERCURRENT_CURVES, type OvercurrentSettings } from "./detectors/overcurrent";
import type { SmokeSettings } from "./detectors/smoke";

/**
 * Thresholds and sampling rates of a sensor node, per node. A group left out is not sampled.
 * Every value is checked on the node by `sensingConfigProblem` before it is used; a config that
 * fails is refused whole with the reason, and the node keeps the one it has.
 */
export interface SensingConfig {
  smoke?: SmokeConfig;
  heat?: HeatConfig;
  electrical?: ElectricalConfig;
}

export interface SmokeConfig extends SmokeSettings {
  /** Also watch the smoke IC's alarm output (the board's `smokeAlarm` pin). */
  digitalAlarm: boolean;
}

export interface HeatConfig extends HeatSettings {
  /** Which sensor feeds the heat detector; the other one is read for telemetry. */
  source: "ntc" | "tmp117";
}

export interface ElectricalConfig {
  /** The CT and leakage channels convert in the background; every `intervalMs` their RMS is taken and decided on. */
  intervalMs: number;
  mainsHz: 50 | 60;
  overcurrent: Omit<OvercurrentSettings, "intervalMs">;
  leakage: Omit<LeakageSettings, "intervalMs">;
  /** For charging-shed circuits only. */
  charging?: Omit<ChargingSettings, "intervalMs">;
  /** The circuit's cable-temperature probe (GB 14287.3), read at every interval; absent: not fitted. */
  cable?: Omit<CableTemperatureSettings, "intervalMs">;
}

/** Defaults for a 12-bit chamber reading about 300 counts in clean air, a 16 A circuit and a 50 Hz supply. */
export function defaultSensingConfig(): SensingConfig {
  return {
    smoke: {
      intervalMs: 1000,
      baselineRaw: 300,
      preAlarmDeltaRaw: 150,
      alarmDeltaRaw: 400,
      preAlarmHoldMs: 30_000,
      alarmHoldMs: 15_000,
      clearHoldMs: 30_000,
      baselineTauMs: 6 * 3_600_000,
      maxDriftRaw: 150,
      shortBelowRaw: 20,
      openAboveRaw: 4000,
      stuckMs: 600_000,
      noiseLimitRaw: 40,
      digitalAlarm: false,
    },
    heat: {
      intervalMs: 1000,
      source: "ntc",
      staticC: 58,
      rateKPerMin: 8,
      rateWindowMs: 60_000,
      rateHoldMs: 20_000,
      staticHoldMs: 2_000,
      clearHoldMs: 60_000,
      minValidC: -30,
      maxValidC: 125,
      stuckMs: 1_800_000,
      noiseLimitC: 1,
    },
    electrical: {
      intervalMs: 1000,
      mainsHz: 50,
      overcurrent: { pickupA: 16, curve: "very-inverse", timeMultiplier: 1, resetMs: 60_000, clearHoldMs: 10_000 },
      leakage: { thresholdMa: LEAKAGE_DEFAULT_THRESHOLD_MA, holdMs: 5_000, clearHoldMs: 30_000 },
    },
  };
}

/**
 * The cable probe's settings: 70 °C, the continuous limit of PVC-insulated cable (GB/T 5023,
 * IEC 60227), so a terminal or cable running hotter than its insulation is rated for alarms.
 */
export function defaultCableSettings(): Omit<CableTemperatureSettings, "intervalMs"> {
  return { setpointC: 70, holdMs: 5_000, clearHoldMs: 60_000, stuckMs: 1_800_000, noiseLimitC: 2 };
}

/** Charging-shed settings for a 48 V e-bike charger (about 0.8 A from the mains while charging at constant current). */
export function defaultChargingSettings(): Omit<ChargingSettings, "intervalMs"> {
  return {
    startA: 0.2,
    stopA: 0.08,
    startHoldMs: 30_000,
    stopHoldMs: 120_000,
    maxSessionMs: 8 * 3_600_000,
    stepRatio: 1.4,
    stepMinA: 0.15,
    stepHoldMs: 20_000,
    levelTauMs: 600_000,
  };
}

/** Returns null when `candidate` is a usable SensingConfig, or the first reason it is not. */
export function sensingConfigProblem(candidate: unknown, adcResolutionBits = 12): string | null {
  if (!isObject(candidate)) return "sensing config must be an object";
  const known = ["smoke", "heat", "electrical"];
  for (const key of Object.keys(candidate)) if (!known.includes(key)) return `sensing has no group "${key}"`;
  const maxCount = 2 ** adcResolutionBits - 1;
  if (candidate.smoke !== undefined) {
    const problem = smokeProblem(candidate.smoke, maxCount);
    if (problem) return `smoke: ${problem}`;
  }
  if (candidate.heat !== undefined) {
    const problem = heatProblem(candidate.heat);
    if (problem) return `heat: ${problem}`;
  }
  if (candidate.electrical !== undefined) {
    const problem = electricalProblem(candidate.electrical);
    if (problem) return `electrical: ${problem}`;
  }
  return null;
}

function smokeProblem(s: unknown, maxCount: number): string | null {
  if (!isObject(s)) return "must be an object";
  return (
    range(s, "intervalMs", 200, 10_000) ??
    range(s, "shortBelowRaw", 0, maxCount) ??
    range(s, "openAboveRaw", 1, maxCount) ??
    range(s, "baselineRaw", 1, maxCount) ??
    check(s.shortBelowRaw < s.baselineRaw && s.baselineRaw < s.openAboveRaw, "baselineRaw must lie between shortBelowRaw and openAboveRaw") ??
    range(s, "preAlarmDeltaRaw", 1, maxCount) ??
    range(s, "alarmDeltaRaw", 1, maxCount) ??
    check(s.preAlarmDeltaRaw < s.alarmDeltaRaw, "preAlarmDeltaRaw must be below alarmDeltaRaw") ??
    check(s.baselineRaw + s.alarmDeltaRaw < s.openAboveRaw, "the alarm level (baselineRaw + alarmDeltaRaw) must be below openAboveRaw") ??
    range(s, "preAlarmHoldMs", 0, 600_000) ??
    range(s, "alarmHoldMs", 0, 600_000) ??
    range(s, "clearHoldMs", 0, 600_000) ??
    range(s, "baselineTauMs", 3_600_000, 30 * 86_400_000, "1 h–30 days: shorter would learn a smouldering fire as clean air") ??
    range(s, "maxDriftRaw", 1, maxCount) ??
    stuck(s) ??
    range(s, "noiseLimitRaw", 1, maxCount) ??
    bool(s, "digitalAlarm")
  );
}

function heatProblem(h: unknown): string | null {
  if (!isObject(h)) return "must be an object";
  const base =
    range(h, "intervalMs", 250, 5_000) ??
    check(h.source === "ntc" || h.source === "tmp117", 'source must be "ntc" or "tmp117"') ??
    range(h, "staticC", 54, 62, "54–62 °C: EN 54-5 class A1 responds between 54 and 65 °C, and the sensor lags by a few kelvin") ??
    range(h, "rateKPerMin", 5.5, 15, "5.5–15 K/min: at or below 5 K/min EN 54-5 forbids an alarm before a 20 K rise") ??
    range(h, "rateWindowMs", 10_000, 120_000) ??
    range(h, "rateHoldMs", 0, 60_000) ??
    range(h, "staticHoldMs", 0, 10_000) ??
    range(h, "clearHoldMs", 0, 600_000) ??
    range(h, "minValidC", -55, 20) ??
    range(h, "maxValidC", 70, 150) ??
    stuck(h) ??
    range(h, "noiseLimitC", 0.05, 20);
  if (base) return base;
  // EN 54-5 Table 5 lower limits: the rate element (first holding rate/r of the window after a
  // ramp starts, then its hold) must not beat 20 s at 30 K/min, 30 s at 20 K/min or 60 s at 10 K/min,
  // with 5 s to spare for noise on the measured rate.
  const windowS = (h.rateWindowMs as number) / 1000;
  const holdS = (h.rateHoldMs as number) / 1000;
  for (const [rampKPerMin, lowerS] of [[30, 20], [20, 30], [10, 60]]) {
    const firstS = ((h.rateKPerMin as number) / rampKPerMin) * windowS + holdS;
    if (firstS < lowerS + RATE_MARGIN_S) return `the rate element would alarm ${Math.round(firstS)} s into a ${rampKPerMin} K/min rise; EN 54-5 class A1 forbids an alarm before ${lowerS} s`;
  }
  // An instant step keeps the newest part of the rate window rising only while it passes through
  // it and the averaging filter: the hold must outlast that, or a step alone would trip the element.
  const stepS = ((heatRecentSamples(h as unknown as HeatSettings) + HEAT_FILTER_SAMPLES) * (h.intervalMs as number)) / 1000;
  if (holdS <= stepS) return `rateHoldMs must be over ${stepS} s (the newest sixth of the rate window and the ${HEAT_FILTER_SAMPLES}-sample average), or an instant step would trip the rate element`;
  return null;
}

function electricalProblem(e: unknown): string | null {
  if (!isObject(e)) return "must be an object";
  const base =
    range(e, "intervalMs", 200, 10_000) ??
    check(e.mainsHz === 50 || e.mainsHz === 60, "mainsHz must be 50 or 60") ??
    // The RMS is taken over the interval: whole cycles leave no part-cycle to bias it.
    check((((e.intervalMs as number) * (e.mainsHz as number)) / 1000) % 1 === 0, "intervalMs must hold whole mains cycles (a multiple of 20 ms at 50 Hz, 50 ms for both 50 and 60 Hz)");
  if (base) return base;

  const o = e.overcurrent;
  if (!isObject(o)) return "overcurrent must be an object";
  const over =
    range(o, "pickupA", 0.1, 100) ??
    check(typeof o.curve === "string" && o.curve in OVERCURRENT_CURVES, `overcurrent.curve must be one of ${Object.keys(OVERCURRENT_CURVES).join(", ")}`) ??
    range(o, "timeMultiplier", 0.05, 10) ??
    range(o, "resetMs", 1, 600_000) ??
    range(o, "clearHoldMs", 0, 600_000);
  if (over) return `overcurrent.${over}`;

  const l = e.leakage;
  if (!isObject(l)) return "leakage must be an object";
  const leak =
    range(l, "thresholdMa", LEAKAGE_MIN_THRESHOLD_MA, LEAKAGE_MAX_THRESHOLD_MA, "20–1000 mA (GB 14287.2)") ??
    range(l, "holdMs", 0, LEAKAGE_MAX_RESPONSE_MS) ??
    check(
      (e.intervalMs as number) + (l.holdMs as number) <= LEAKAGE_MAX_RESPONSE_MS,
      `intervalMs + holdMs must be at most ${LEAKAGE_MAX_RESPONSE_MS} ms: GB 14287.2 requires the alarm within 30 s`,
    ) ??
    range(l, "clearHoldMs", 0, 600_000);
  if (leak) return `leakage.${leak}`;

  if (e.cable !== undefined) {
    const c = e.cable;
    if (!isObject(c)) return "cable must be an object";
    const cable =
      range(c, "setpointC", CABLE_MIN_SETPOINT_C, CABLE_MAX_SETPOINT_C, "55–140 °C (GB 14287.3)") ??
      range(c, "holdMs", 0, 30_000) ??
      check(
        (e.intervalMs as number) * CABLE_FILTER_AND_LANDING + (c.holdMs as number) <= CABLE_MAX_RESPONSE_MS - CABLE_PROBE_LAG_MS,
        `${CABLE_FILTER_AND_LANDING} × intervalMs + holdMs must be at most ${(CABLE_MAX_RESPONSE_MS - CABLE_PROBE_LAG_MS) / 1000} s: GB 14287.3 requires the alarm within 40 s, and a probe bonded to a terminal takes up to ${CABLE_PROBE_LAG_MS / 1000} s of them`,
      ) ??
      range(c, "clearHoldMs", 0, 600_000) ??
      stuck(c) ??
      range(c, "noiseLimitC", 0.05, 20);
    if (cable) return `cable.${cable}`;
  }

  if (e.charging !== undefined) {
    const c = e.charging;
    if (!isObject(c)) return "charging must be an object";
    const charge =
      range(c, "startA", 0.02, 50) ??
      range(c, "stopA", 0.01, 50) ??
      check(c.stopA < c.startA, "stopA must be below startA") ??
      range(c, "startHoldMs", 0, 600_000) ??
      range(c, "stopHoldMs", 0, 3_600_000) ??
      range(c, "maxSessionMs", 3_600_000, 24 * 3_600_000) ??
      range(c, "stepRatio", 1.1, 5) ??
      range(c, "stepMinA", 0.01, 50) ??
      range(c, "stepHoldMs", 0, 600_000) ??
      range(c, "levelTauMs", 1_000, 3_600_000);
    if (charge) return `charging.${charge}`;
  }
  return null;
}

const RATE_MARGIN_S = 5;
/** The cable detector's 4-reading average and a reading landing just after the cable got hot. */
const CABLE_FILTER_AND_LANDING = 5;
/**
 * What a probe's thermal lag may take of GB 14287.3's 40 s: a TMP117 on a probe board bonded to a
 * terminal has a time constant of about 10 s, and reaching 98 % of a setting from room temperature
 * when the cable sits at the top of the ±5 % band takes 2–2.5 time constants.
 */
const CABLE_PROBE_LAG_MS = 25_000;

/**
 * `config` with settings changed by dotted name (`smoke.alarmDeltaRaw`,
 * `electrical.leakage.thresholdMa`), or why not: only settings the config already has can be
 * changed, numbers with numbers and switches with 0 or 1. The result still has to pass
 * `sensingConfigProblem`; this only builds it.
 */
export function withSensingChanges(config: SensingConfig, changes: Record<string, number>): SensingConfig | string {
  const next = JSON.parse(JSON.stringify(config)) as Record<string, any>;
  for (const key of Object.keys(changes)) {
    const path = key.split(".");
    let holder: Record<string, any> | undefined = next;
    for (const part of path.slice(0, -1)) holder = isObject(holder?.[part]) ? holder![part] : undefined;
    const leaf = path[path.length - 1];
    const current = holder?.[leaf];
    const value = changes[key];
    if (typeof current === "number") holder![leaf] = value;
    else if (typeof current === "boolean" && (value === 0 || value === 1)) holder![leaf] = value === 1;
    else return `"${key}" is not a setting this node can change`;
  }
  return next as SensingConfig;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function range(o: Record<string, unknown>, key: string, min: number, max: number, why?: string): string | null {
  const value = o[key];
  if (typeof value === "number" && Number.isFinite(value) && value >= min && value <= max) return null;
  return `${key} must be a number in ${why ?? `${min}–${max}`}`;
}

function integer(o: Record<string, unknown>, key: string, min: number, max: number): string | null {
  return Number.isInteger(o[key]) ? range(o, key, min, max) : `${key} must be an integer in ${min}–${max}`;
}

function stuck(o: Record<string, unknown>): string | null {
  return o.stuckMs === 0 ? null : range(o, "stuckMs", 60_000, 86_400_000, "0 (off) or 1 min–1 day");
}

function bool(o: Record<string, unknown>, key: string): string | null {
  return typeof o[key] === "boolean" ? null : `${key} must be true or false`;
}

function check(ok: boolean, problem: string): string | null {
  return ok ? null : problem;
}
