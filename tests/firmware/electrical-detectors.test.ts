import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultChargingSettings, defaultSensingConfig } from "../../firmware/sensing-config";
import { playTrace } from "../support/detector-scenario";
import type { TraceEvent, TraceSpec } from "../support/traces";
import { XsScenario } from "../support/xs";

const electrical = defaultSensingConfig().electrical!;
const overcurrent = { ...electrical.overcurrent, intervalMs: electrical.intervalMs };
const leakage = { ...electrical.leakage, intervalMs: electrical.intervalMs };
const charging = { ...defaultChargingSettings(), intervalMs: electrical.intervalMs };
const HOUR = 3600;

describe("electrical detectors (in XS)", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/detectors.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  describe("overcurrent, IEC 60255-151 very inverse, pickup 16 A", () => {
    const motorStarts: TraceEvent[] = Array.from({ length: 12 }, (_, i) => ({ type: "pulse", atS: 60 + i * 600, riseS: 0.2, holdS: 2, fallS: 1, height: 40 }));

    it("lets a motor's inrush (3× pickup for 2 s at every start) and short spikes through", async () => {
      const spikes: TraceEvent[] = Array.from({ length: 30 }, (_, i) => ({ type: "pulse", atS: 7300 + i * 120, riseS: 0.1, holdS: 1, fallS: 0.1, height: 72 }));
      const trace: TraceSpec = { intervalMs: 1000, baseline: 8, noise: 0.2, events: [...motorStarts, ...spikes], seed: 2 };
      const result = await playTrace(xs, { detector: "overcurrent", settings: overcurrent, trace, samples: 7300 + 30 * 120 });
      expect(result.max).toBeGreaterThan(70);
      expect(result.events).toEqual([]);
    });

    it.each([
      [1.5, 24],
      [2, 32],
      [3, 48],
    ])("trips on a sustained %s× overload after the curve's time", async (multiple, amps) => {
      const expectedS = 13.5 / (multiple - 1);
      const trace: TraceSpec = { intervalMs: 1000, baseline: 8, events: [{ type: "step", atS: 60, height: amps - 8 }] };
      const result = await playTrace(xs, { detector: "overcurrent", settings: overcurrent, trace, samples: 60 + 120, stopAt: { kind: "overcurrent" } });
      const trip = result.events.find((e) => e.kind === "overcurrent")!;
      const afterS = trip.timeMs / 1000 - 60;
      console.log(`overcurrent ${amps} A (${multiple}× pickup): tripped after ${afterS} s; the curve gives ${expectedS.toFixed(1)} s`);
      expect(afterS).toBeGreaterThanOrEqual(Math.floor(expectedS) - 1);
      expect(afterS).toBeLessThanOrEqual(Math.ceil(expectedS) + 1);
      expect(trip.detector.accumulator).toBeGreaterThanOrEqual(1);
      expect(trip.evidence.at(-1)).toBeCloseTo(amps, 1);
    });

    it("clears once the load drops, and a current dancing on pickup raises one alarm", async () => {
      const trace: TraceSpec = {
        intervalMs: 1000,
        baseline: 8,
        events: [
          { type: "step", atS: 60, height: 24, untilS: 300 },
          { type: "noise", atS: 60, amplitude: 2, untilS: 300 },
        ],
        seed: 9,
      };
      const result = await playTrace(xs, { detector: "overcurrent", settings: overcurrent, trace, samples: 400 });
      expect(result.events.map((e) => [e.kind, e.state])).toEqual([
        ["overcurrent", "raised"],
        ["overcurrent", "cleared"],
      ]);
    });

    it("reports a CT channel whose bias is gone as a fault, not an overload", async () => {
      const trace: TraceSpec = { intervalMs: 1000, baseline: 8 };
      const result = await playTrace(xs, { detector: "overcurrent", settings: overcurrent, trace, samples: 300, faults: [{ fromIndex: 100, toIndex: 300, code: 5 }] });
      expect(result.events.map((e) => [e.kind, e.state, e.fault])).toEqual([["sensor-fault", "raised", 5]]);
    });
  });

  describe("residual current, GB 14287.2", () => {
    it.each([20, 300, 1000])("alarms within 30 s of a step to 110 %% of a %d mA setting", async (thresholdMa) => {
      const stepS = 600.4;
      const trace: TraceSpec = { intervalMs: 1000, baseline: 3, noise: 1, events: [{ type: "step", atS: stepS, height: thresholdMa * 1.1 }], seed: thresholdMa };
      const result = await playTrace(xs, {
        detector: "leakage",
        settings: { ...leakage, thresholdMa },
        trace,
        samples: 700,
        stopAt: { kind: "leakage" },
      });
      const alarm = result.events.find((e) => e.kind === "leakage")!;
      const afterS = alarm.timeMs / 1000 - stepS;
      console.log(`leakage step to ${Math.round(thresholdMa * 1.1)} mA (setting ${thresholdMa} mA): alarm after ${afterS.toFixed(1)} s`);
      expect(afterS).toBeGreaterThanOrEqual(leakage.holdMs / 1000);
      expect(afterS).toBeLessThanOrEqual(30);
      expect(alarm.threshold).toBe(thresholdMa);
    });

    it("stays silent below the setting for a day, and gives one alarm for leakage dancing on it", async () => {
      const quiet = await playTrace(xs, { detector: "leakage", settings: leakage, trace: { intervalMs: 1000, baseline: 250, noise: 20, seed: 4 }, samples: 86_400 });
      expect(quiet.events).toEqual([]);
      const dancing = await playTrace(xs, { detector: "leakage", settings: leakage, trace: { intervalMs: 1000, baseline: 300, noise: 25, seed: 5 }, samples: 3_600 });
      expect(dancing.events.map((e) => [e.kind, e.state])).toEqual([["leakage", "raised"]]);
    });
  });

  describe("e-bike charging profile", () => {
    const standby: TraceSpec = { intervalMs: 1000, baseline: 0.02, noise: 0.01, seed: 8 };
    /** Constant current (0.8 A from the mains) for `ccS`, then a constant-voltage taper. */
    const charge = (ccS: number, taperTauS: number, extra: TraceEvent[] = []): TraceSpec => ({
      ...standby,
      events: [{ type: "step", atS: 60, height: 0.8, untilS: 60 + ccS }, { type: "decay", atS: 60 + ccS, height: 0.78, tauS: taperTauS }, ...extra],
    });

    it("reports a healthy charge's start and end, and nothing else", async () => {
      const result = await playTrace(xs, { detector: "charging", settings: charging, trace: charge(3 * HOUR, 1200), samples: 5 * HOUR });
      expect(result.events.map((e) => [e.kind, e.severity, e.state])).toEqual([
        ["charge-session", "info", "raised"],
        ["charge-session", "info", "cleared"],
      ]);
      const [start, end] = result.events.map((e) => e.timeMs / 1000);
      expect(start - 60).toBeLessThanOrEqual(charging.startHoldMs / 1000 + 1);
      expect((end - 60) / HOUR).toBeGreaterThan(3.5);
      expect((end - 60) / HOUR).toBeLessThan(4);
    });

    it("warns when current persists after the pack should be full", async () => {
      const trickle = charge(3 * HOUR, 1200, [{ type: "step", atS: 60 + 3 * HOUR, height: 0.15 }]);
      const result = await playTrace(xs, { detector: "charging", settings: charging, trace: trickle, samples: 10 * HOUR });
      expect(result.events.map((e) => [e.kind, e.severity, e.state])).toEqual([
        ["charge-session", "info", "raised"],
        ["charge-overrun", "warning", "raised"],
      ]);
      expect((result.events[1].timeMs / 1000 - 60) / HOUR).toBeCloseTo(8, 1);
    });

    it("alarms on a current step mid-charge that looks like a failing pack", async () => {
      // A cell shorts during the taper: the pack's voltage drops and the charger pushes constant current again.
      const failing = charge(2 * HOUR, 1800, [{ type: "step", atS: 60 + 2.5 * HOUR, height: 0.5 }]);
      const result = await playTrace(xs, { detector: "charging", settings: charging, trace: failing, samples: 3 * HOUR });
      expect(result.events.map((e) => [e.kind, e.severity, e.state])).toEqual([
        ["charge-session", "info", "raised"],
        ["charge-pack-fault", "alarm", "raised"],
      ]);
      const afterS = result.events[1].timeMs / 1000 - (60 + 2.5 * HOUR);
      expect(afterS).toBeGreaterThanOrEqual(charging.stepHoldMs / 1000);
      expect(afterS).toBeLessThanOrEqual(charging.stepHoldMs / 1000 + 2);
      expect(result.events[1].detector).toMatchObject({ packFault: 1 });
    });
  });
});
