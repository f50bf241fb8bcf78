import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSensingConfig } from "../../firmware/sensing-config";
import { playTrace } from "../support/detector-scenario";
import type { TraceSpec } from "../support/traces";
import { XsScenario } from "../support/xs";

const settings = defaultSensingConfig().smoke!;
const DAY = 86_400;
const HOUR = 3_600;
/** A chamber reading 300 counts in clean air, with ±3 counts of noise and a daily swing of ±8. */
const cleanAir: TraceSpec = { intervalMs: 1000, baseline: 300, noise: 3, dailySwing: 8, quantum: 1, seed: 11 };
const FAULT = { open: 1, short: 2, stuck: 3, noisy: 4, driftLimit: 7 };

describe("smoke detector (in XS, on synthesized traces)", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/detectors.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  const play = (trace: TraceSpec, samples: number, extra: Partial<Parameters<typeof playTrace>[1]> = {}) =>
    playTrace(xs, { detector: "smoke", settings, trace, samples, ...extra });

  it("stays silent through a week of clean air at 1 Hz (604,800 samples)", async () => {
    const result = await play(cleanAir, 7 * DAY);
    expect(result.index).toBe(604_800);
    expect(result.events).toEqual([]);
    expect(Math.abs(result.snapshot.baselineRaw - 300)).toBeLessThan(10);
    console.log(`clean-air week: ${result.index} samples, ${Math.round(result.compute / result.index)} XS compute per sample (detector + trace generator)`);
  });

  it("follows slow drift (dust, ageing) without alarming", async () => {
    const result = await play({ ...cleanAir, driftPerDay: 10 }, 7 * DAY);
    expect(result.events).toEqual([]);
    // 70 counts of drift over the week, followed to within the tracking lag.
    expect(result.snapshot.baselineRaw).toBeGreaterThan(360);
    expect(result.snapshot.baselineRaw).toBeLessThan(372);
  });

  it("reports drift past the compensation limit as a chamber fault, not smoke", async () => {
    const result = await play({ ...cleanAir, driftPerDay: 30 }, 7 * DAY);
    expect(result.events.map((e) => [e.kind, e.state, e.fault])).toEqual([["sensor-fault", "raised", FAULT.driftLimit]]);
    expect(result.events[0].timeMs / 3_600_000).toBeGreaterThan(5 * 24 - 12);
  });

  it("raises the pre-alarm, then the alarm, on a smouldering fire, and learns none of it as clean air", async () => {
    const startS = 2 * HOUR;
    const result = await play({ ...cleanAir, events: [{ type: "ramp", atS: startS, perMin: 12, max: 700 }] }, startS + HOUR);
    const raised = result.events.filter((e) => e.state === "raised");
    expect(raised.map((e) => [e.kind, e.severity])).toEqual([
      ["smoke", "warning"],
      ["smoke", "alarm"],
    ]);
    const [pre, alarm] = raised.map((e) => e.timeMs / 1000 - startS);
    // 150 counts at 12/min is 12.5 min, then a 30 s hold; 400 counts is 33.3 min, then 15 s.
    expect(pre).toBeGreaterThan(12.5 * 60);
    expect(pre).toBeLessThan(14 * 60);
    expect(alarm).toBeGreaterThan(33 * 60);
    expect(alarm).toBeLessThan(35 * 60);
    expect(Math.abs(raised[1].detector.baselineRaw - 300)).toBeLessThan(8);
    console.log(`smouldering fire: pre-alarm after ${fmt(pre)}, alarm after ${fmt(alarm)}`);
  });

  it("alarms within two minutes of a flaming fire", async () => {
    const startS = HOUR;
    const result = await play({ ...cleanAir, events: [{ type: "ramp", atS: startS, perMin: 400, max: 1200 }] }, startS + 600);
    const alarm = result.events.find((e) => e.kind === "smoke" && e.severity === "alarm" && e.state === "raised");
    expect(alarm).toBeDefined();
    const afterS = alarm!.timeMs / 1000 - startS;
    expect(afterS).toBeLessThan(120);
    // Its evidence is the last samples, oldest first, ending with the one that decided.
    expect(alarm!.evidence).toHaveLength(32);
    expect(alarm!.evidence.at(-1)).toBeGreaterThan(700);
    expect(alarm!.detector).toMatchObject({ alarm: 1, baselineRaw: expect.any(Number), deltaRaw: expect.any(Number) });
    console.log(`flaming fire: alarm after ${fmt(afterS)}`);
  });

  it("ignores kitchen-like transients: a puff of steam or smoke shorter than the holds", async () => {
    const puffs = Array.from({ length: 12 }, (_, i) => ({ type: "pulse" as const, atS: HOUR + i * HOUR, riseS: 3, holdS: 8, fallS: 10, height: 650 }));
    const result = await play({ ...cleanAir, events: puffs }, 14 * HOUR);
    expect(result.max).toBeGreaterThan(900);
    expect(result.events).toEqual([]);
    expect(Math.abs(result.snapshot.baselineRaw - 300)).toBeLessThan(10);
  });

  it("gives one alarm, not a hundred, for a reading dancing on the alarm level", async () => {
    const dancing: TraceSpec = { ...cleanAir, noise: 0, events: [{ type: "step", atS: 600, height: 400 }, { type: "noise", atS: 600, amplitude: 15 }] };
    const result = await play(dancing, 600 + 3600);
    expect(result.min).toBeLessThan(700);
    expect(result.max).toBeGreaterThan(700);
    expect(result.events.filter((e) => e.kind === "smoke").map((e) => [e.severity, e.state])).toEqual([
      ["warning", "raised"],
      ["alarm", "raised"],
    ]);
  });

  it.each([
    ["noisy (interference, a loose contact)", { type: "noise", atS: HOUR, amplitude: 150 }, FAULT.noisy],
    ["stuck (a frozen ADC)", { type: "stuck", atS: HOUR }, FAULT.stuck],
    ["disconnected (input at the rail)", { type: "rail", atS: HOUR, value: 4095 }, FAULT.open],
    ["shorted (photodiode to ground)", { type: "rail", atS: HOUR, value: 0 }, FAULT.short],
  ] as const)("reports a %s sensor as a fault, never as smoke", async (_name, event, fault) => {
    const result = await play({ ...cleanAir, events: [event] }, 2 * HOUR);
    expect(result.events.map((e) => [e.kind, e.state, e.fault])).toEqual([["sensor-fault", "raised", fault]]);
    const afterS = result.events[0].timeMs / 1000 - HOUR;
    expect(afterS).toBeLessThan(fault === FAULT.stuck ? 11 * 60 : 60);
  });

  it("keeps deciding on a noisy chamber, filtered, and reports it: a fire detector degrades, it does not go blind", async () => {
    const noisyFire: TraceSpec = { ...cleanAir, events: [{ type: "noise", atS: HOUR, amplitude: 150 }, { type: "ramp", atS: HOUR + 600, perMin: 200, max: 700 }] };
    const result = await play(noisyFire, HOUR + 1200);
    expect(result.events.map((e) => [e.kind, e.severity, e.state, e.fault])).toEqual([
      ["sensor-fault", "warning", "raised", FAULT.noisy],
      ["smoke", "warning", "raised", 0],
      ["smoke", "alarm", "raised", 0],
    ]);
  });

  it("clears a fault once the sensor is healthy again", async () => {
    const result = await play({ ...cleanAir, events: [{ type: "rail", atS: HOUR, value: 4095, untilS: HOUR + 600 }] }, 2 * HOUR);
    expect(result.events.map((e) => [e.kind, e.state])).toEqual([
      ["sensor-fault", "raised"],
      ["sensor-fault", "cleared"],
    ]);
  });
});

function fmt(seconds: number): string {
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
