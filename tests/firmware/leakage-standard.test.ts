import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSensingConfig, type SensingConfig } from "../../firmware/sensing-config";
import { esp32DevkitC } from "../../hardware/boards";
import { sensorCalibration } from "../../hardware/calibration";
import { XsScenario } from "../support/xs";

/**
 * GB 14287.2 held the way a certification lab tests it, through the whole sensing path in XS:
 * a residual current on the transformer's ADC pin, with ADC noise, sampled by the driver and
 * decided by the detector. The standard wants the alarm at a current between 80 % and 100 % of
 * the setting, and within 30 s once the current reaches the setting.
 *
 * ADC noise: ±8 counts uniform (σ ≈ 4.6 counts, about 11 mV) on every sample, a pessimistic
 * figure for the ESP32's ADC1 with the 100 nF input capacitor the kind's notes ask for (Espressif
 * quotes a few counts of σ at 12 dB attenuation); at a 20 mA setting that is 3.4 mA of noise RMS
 * on a 20 mA signal.
 */
const board = esp32DevkitC;
const calibration = sensorCalibration(board);
const leak = calibration.leakage;
const NOISE_COUNTS = 8;
const waveform = (trueMa: number, seed: number) => ({ offsetCounts: leak.biasCounts, amplitudeCounts: (trueMa / leak.unitsPerCount) * Math.SQRT2, hz: 50, noiseCounts: NOISE_COUNTS, seed });

interface Sent {
  atMs: number;
  alarm: { kind: string; state: string; value: number; threshold: number };
}

describe("residual current held to GB 14287.2 (sensing in XS, with ADC noise)", () => {
  let xs: XsScenario;
  const call = async <T = any>(request: object) => (await xs.call<T>(request)).value;
  const take = () => call<Sent[]>({ op: "take" });

  const electricalOnly = (thresholdMa: number): SensingConfig => {
    const config = defaultSensingConfig();
    config.electrical!.leakage.thresholdMa = thresholdMa;
    return { electrical: config.electrical };
  };
  /** A fresh detector at `thresholdMa` with no residual current, its clock `offsetMs` past a reading. */
  const idle = async (thresholdMa: number, offsetMs: number) => {
    await call({ op: "waveform", pin: "leakage", waveform: waveform(0, 1) });
    expect((await call({ op: "apply", config: electricalOnly(thresholdMa) })).refused).toBeNull();
    await call({ op: "advance", ms: 60_000 + offsetMs });
    await take();
  };

  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/sensing.ts", import.meta.url));
    expect(await call({ op: "boot", pins: board.pins, calibration, config: electricalOnly(300) })).toEqual({ refused: null });
    await call({ op: "waveform", pin: "current", waveform: { offsetCounts: calibration.ct.biasCounts, amplitudeCounts: 0, hz: 50, noiseCounts: NOISE_COUNTS, seed: 2 } });
  });
  afterAll(() => xs.close());

  describe.each([20, 300, 1000])("setting %d mA", (thresholdMa) => {
    it.each([
      [1, 0],
      [2, 370],
      [3, 990],
    ])("alarms within 30 s of a current held exactly at the setting (seed %d, %d ms after a reading)", async (seed, offsetMs) => {
      await idle(thresholdMa, offsetMs);
      await call({ op: "waveform", pin: "leakage", waveform: waveform(thresholdMa, seed * 97 + thresholdMa) });
      const { now: stepMs } = await call<{ now: number }>({ op: "advance", ms: 0 });
      await call({ op: "advance", ms: 40_000 });
      const alarm = (await take()).find((s) => s.alarm.kind === "leakage" && s.alarm.state === "raised");
      expect(alarm, "no alarm within 40 s").toBeDefined();
      const afterS = (alarm!.atMs - stepMs) / 1000;
      console.log(`GB 14287.2, ${thresholdMa} mA setting, current held at 100 %: alarm after ${afterS.toFixed(1)} s (reading ${alarm!.alarm.value} mA)`);
      expect(afterS).toBeLessThanOrEqual(30);
      expect(alarm!.alarm.threshold).toBe(thresholdMa);
    });

    it("alarms at 90 % of the setting, the decision level, and never at 80 %", async () => {
      await idle(thresholdMa, 0);
      await call({ op: "waveform", pin: "leakage", waveform: waveform(thresholdMa * 0.8, 11 + thresholdMa) });
      await call({ op: "advance", ms: 600_000 });
      expect(await take(), "an alarm at 80 % within 10 minutes").toEqual([]);
      await call({ op: "waveform", pin: "leakage", waveform: waveform(thresholdMa * 0.9, 13 + thresholdMa) });
      await call({ op: "advance", ms: 120_000 });
      const alarms = (await take()).filter((s) => s.alarm.kind === "leakage");
      expect(alarms.map((s) => s.alarm.state)).toEqual(["raised"]);
    });

    it("has its alarm value between 80 % and 100 % of the setting on a slowly rising current", async () => {
      await idle(thresholdMa, 0);
      // 50 % → 110 % of the setting over 10 minutes: 0.1 % of the setting a second.
      const { trueMa, atS } = await call<{ trueMa: number; atS: number }>({ op: "leakage-ramp", fromMa: thresholdMa * 0.5, toMa: thresholdMa * 1.1, seconds: 600, noiseCounts: NOISE_COUNTS, seed: 5 + thresholdMa });
      console.log(`GB 14287.2, ${thresholdMa} mA setting, slow rise: alarm value ${((trueMa / thresholdMa) * 100).toFixed(1)} % of the setting (after ${atS} s)`);
      expect(trueMa / thresholdMa).toBeGreaterThanOrEqual(0.8);
      expect(trueMa / thresholdMa).toBeLessThanOrEqual(1);
    });
  });

  it("does not restart its hold on a single low reading", async () => {
    // A current at the setting whose readings the noise drops under the decision level every
    // fourth second: a continuous hold would never complete; the up/down timer still alarms.
    await idle(300, 0);
    const { now: startMs } = await call<{ now: number }>({ op: "advance", ms: 0 });
    for (let s = 0; s < 30; s++) {
      await call({ op: "waveform", pin: "leakage", waveform: waveform(s % 4 === 3 ? 200 : 300, 40 + s) });
      await call({ op: "advance", ms: 1_000 });
    }
    const alarm = (await take()).find((s) => s.alarm.kind === "leakage");
    expect(alarm, "no alarm within 30 s").toBeDefined();
    expect((alarm!.atMs - startMs) / 1000).toBeLessThanOrEqual(30);
  });
});
