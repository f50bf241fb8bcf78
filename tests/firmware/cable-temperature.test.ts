import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CABLE_ALARM_TOLERANCE, CABLE_MAX_RESPONSE_MS } from "../../firmware/detectors/cable-temperature";
import { defaultCableSettings, defaultSensingConfig } from "../../firmware/sensing-config";
import { playTrace } from "../support/detector-scenario";
import { Trace, type TraceSpec } from "../support/traces";
import { XsScenario } from "../support/xs";

/**
 * GB 14287.3, the temperature-type electrical fire detector, across its whole setting range
 * (55–140 °C), inside XS. The probe is a TMP117 bonded to a terminal: its thermal time constant
 * is taken as 10 s and its noise as σ 0.05 °C (the datasheet's repeatability is finer; the bond
 * and the live terminal's interference are not).
 */
const intervalMs = defaultSensingConfig().electrical!.intervalMs;
const SETPOINTS_C = [55, 70, 85, 100, 120, 140];
const LAG_MS = 10_000;
const START_S = 300;

describe("cable temperature, GB 14287.3 (in XS)", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/detectors.ts", import.meta.url));
  });
  afterAll(() => xs.close());
  const settings = (setpointC: number) => ({ ...defaultCableSettings(), setpointC, intervalMs });

  /** The first alarm on `trace`, and the cable's true temperature at that moment. */
  const firstAlarm = async (setpointC: number, trace: TraceSpec, samples: number) => {
    const result = await playTrace(xs, { detector: "cable", settings: settings(setpointC), trace, samples, stopAt: { kind: "cable-overheat", state: "raised" } });
    expect(result.events.filter((e) => e.kind === "sensor-fault")).toEqual([]);
    const alarm = result.events.find((e) => e.kind === "cable-overheat");
    return alarm && { afterS: alarm.timeMs / 1000 - START_S, trueC: new Trace(trace).truth(alarm.timeMs), alarm };
  };

  it.each(SETPOINTS_C)("setting %d °C: the alarm value on a slow rise (1 K/min) is within ±5 % of the setting", async (setpointC) => {
    const trace: TraceSpec = { intervalMs, baseline: 25, noiseSigma: 0.05, lagMs: LAG_MS, events: [{ type: "ramp", atS: START_S, perMin: 1 }], seed: setpointC };
    const found = await firstAlarm(setpointC, trace, START_S + (setpointC - 25 + 15) * 60);
    expect(found, "no alarm").toBeDefined();
    const share = found!.trueC / setpointC - 1;
    console.log(`GB 14287.3, setting ${setpointC} °C, 1 K/min: alarm at a cable temperature of ${found!.trueC.toFixed(2)} °C (${(share * 100).toFixed(1)} % of the setting; reading ${found!.alarm.value} °C)`);
    expect(Math.abs(share)).toBeLessThanOrEqual(CABLE_ALARM_TOLERANCE);
    expect(found!.alarm.threshold).toBe(setpointC);
  });

  it.each(SETPOINTS_C)("setting %d °C: alarms within 40 s when the cable jumps from 25 °C to the top of the band, through the probe's lag", async (setpointC) => {
    const topC = setpointC * (1 + CABLE_ALARM_TOLERANCE);
    const trace: TraceSpec = { intervalMs, baseline: 25, noiseSigma: 0.05, lagMs: LAG_MS, events: [{ type: "step", atS: START_S, height: topC - 25 }], seed: setpointC + 1 };
    const found = await firstAlarm(setpointC, trace, START_S + 120);
    expect(found, "no alarm within 2 minutes").toBeDefined();
    console.log(`GB 14287.3, setting ${setpointC} °C, cable stepped to ${topC.toFixed(1)} °C, probe τ ${LAG_MS / 1000} s: alarm after ${found!.afterS.toFixed(0)} s`);
    expect(found!.afterS * 1000).toBeLessThanOrEqual(CABLE_MAX_RESPONSE_MS);
  });

  it.each(SETPOINTS_C)("setting %d °C: stays silent for an hour with the cable held just under the band, at 94 per cent", async (setpointC) => {
    const trace: TraceSpec = { intervalMs, baseline: setpointC * 0.94, noiseSigma: 0.05, lagMs: LAG_MS, seed: setpointC + 2 };
    const result = await playTrace(xs, { detector: "cable", settings: settings(setpointC), trace, samples: 3600 });
    expect(result.events).toEqual([]);
  });

  it("clears once the cable cools below 90 % of the setting, and gives one alarm for a temperature dancing on the level", async () => {
    const trace: TraceSpec = {
      intervalMs,
      baseline: 30,
      events: [
        { type: "step", atS: 60, height: 70 * 0.98 - 30, untilS: 1260 },
        { type: "noise", atS: 60, amplitude: 0.6, untilS: 1260 },
      ],
      seed: 4,
    };
    const result = await playTrace(xs, { detector: "cable", settings: settings(70), trace, samples: 1500 });
    expect(result.events.map((e) => [e.kind, e.state])).toEqual([
      ["cable-overheat", "raised"],
      ["cable-overheat", "cleared"],
    ]);
  });

  it.each([
    ["silent on I2C (probe cut off)", 6],
    ["reading an impossible temperature", 5],
  ] as const)("reports a probe %s as a fault, never as overheating", async (_name, code) => {
    const trace: TraceSpec = { intervalMs, baseline: 40, noiseSigma: 0.05, events: code === 5 ? [{ type: "rail", atS: 300, value: 200, untilS: 600 }] : [], seed: 3 };
    const result = await playTrace(xs, { detector: "cable", settings: settings(70), trace, samples: 1800, faults: code === 6 ? [{ fromIndex: 300, toIndex: 600, code }] : undefined });
    expect(result.events.map((e) => [e.kind, e.state, e.fault])).toEqual([
      ["sensor-fault", "raised", code],
      ["sensor-fault", "cleared", code],
    ]);
  });
});
