import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSensingConfig } from "../../firmware/sensing-config";
import { esp32DevkitC } from "../../hardware/boards";
import { sensorCalibration } from "../../hardware/calibration";
import { XsScenario } from "../support/xs";

/**
 * The detectors' per-sample paths allocate nothing. Checked on XS's live-heap count, which is
 * exact and deterministic: a crank of 2,000 samples must leave the heap exactly as a crank of
 * none does. (How much the naive implementation leaves, and the compute both cost, is for
 * `npm run bench:edge`.)
 */
describe("per-sample allocation (in XS)", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/allocation.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  it.each(["smoke", "heat", "overcurrent", "leakage", "charging"])("%s allocates nothing per sample", async (detector) => {
    await xs.call({ op: "play", detector, count: 2_000 });
    const heapAfter = async (count: number) => {
      const before = (await xs.call({ op: "gc" })).meter.currentHeapCount;
      const { value, meter } = await xs.call<number>({ op: "play", detector, count });
      expect(value).toBe(0);
      return meter.currentHeapCount - before;
    };
    const idle = await heapAfter(0);
    expect(await heapAfter(2_000)).toBe(idle);
  });
});

describe("a sensor node whose TMP117 is missing (sensing in XS)", () => {
  let xs: XsScenario;
  const call = async <T = any>(request: object) => (await xs.call<T>(request)).value;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/sensing.ts", import.meta.url));
    const board = esp32DevkitC;
    const calibration = sensorCalibration(board);
    const config = defaultSensingConfig();
    config.heat!.source = "tmp117";
    // Every group samples; the I2C bus has no target at the TMP117's address.
    expect(await call({ op: "boot", pins: board.pins, calibration, config })).toEqual({ refused: null });
    await call({ op: "waveform", pin: "smoke", waveform: { offsetCounts: 300, amplitudeCounts: 0, hz: 0, noiseCounts: 3, seed: 9 } });
    await call({ op: "ntc", celsius: 24 });
    const ac = { offsetCounts: calibration.ct.biasCounts, amplitudeCounts: 400, hz: 50, noiseCounts: 2, seed: 5 };
    await call({ op: "waveform", pin: "current", waveform: ac });
    await call({ op: "waveform", pin: "leakage", waveform: { ...ac, amplitudeCounts: 10 } });
  });
  afterAll(() => xs.close());

  it("reports the heat sensor's fault and asks the bus about once a minute, not every tick", async () => {
    await call({ op: "advance", ms: 600_000 });
    const sent = await call<Array<{ alarm: { kind: string; sensor: string; fault?: string } }>>({ op: "take" });
    expect(sent.map((s) => [s.alarm.kind, s.alarm.sensor, s.alarm.fault])).toEqual([["sensor-fault", "tmp117", "no-response"]]);
    const before = (await call<{ nacks: number }>({ op: "i2c-nacks" })).nacks;
    await call({ op: "advance", ms: 600_000 });
    const probes = (await call<{ nacks: number }>({ op: "i2c-nacks" })).nacks - before;
    console.log(`missing TMP117: ${probes} failed I2C transactions in 10 minutes of 1 Hz sampling`);
    expect(probes).toBeGreaterThan(0);
    expect(probes).toBeLessThanOrEqual(10);
  });

  it("leaves no garbage between two probes of the bus", async () => {
    // Step to just after a probe, then a minute of ticks (the back-off is 64 samples) must leave
    // the heap exactly as no ticks do.
    const nacks = async () => (await call<{ nacks: number }>({ op: "i2c-nacks" })).nacks;
    const start = await nacks();
    for (let s = 0; s < 70 && (await nacks()) === start; s++) await call({ op: "advance", ms: 1_000 });
    expect(await nacks()).toBe(start + 1);
    const heapAfter = async (ms: number) => {
      const before = (await xs.call({ op: "gc" })).meter.currentHeapCount;
      const { meter } = await xs.call({ op: "advance", ms });
      return meter.currentHeapCount - before;
    };
    const idle = await heapAfter(0);
    expect(await heapAfter(60_000)).toBe(idle);
    expect(await nacks()).toBe(start + 1);
  });
});
