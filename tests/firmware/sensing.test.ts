import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultCableSettings, defaultChargingSettings, defaultSensingConfig, type SensingConfig } from "../../firmware/sensing-config";
import { esp32DevkitC } from "../../hardware/boards";
import { sensorCalibration } from "../../hardware/calibration";
import { XsScenario } from "../support/xs";

const board = esp32DevkitC;
const calibration = sensorCalibration(board);
const ct = calibration.ct;
const leak = calibration.leakage;
/** A mains current as the clamp's ADC pin sees it. */
const current = (amps: number, unitsPerCount = ct.unitsPerCount) => ({
  offsetCounts: ct.biasCounts,
  amplitudeCounts: (amps / unitsPerCount) * Math.SQRT2,
  hz: 50,
  noiseCounts: 2,
  seed: 5,
});
const steady = (counts: number, noise: number) => ({ offsetCounts: counts, amplitudeCounts: 0, hz: 0, noiseCounts: noise, seed: 9 });

interface Sent {
  atMs: number;
  problem: string | null;
  alarm: { kind: string; severity: string; state: string; value: number; unit: string; threshold: number; sensor: string; fault?: string; evidence: number[]; evidenceIntervalMs: number; detector: Record<string, number> };
}

describe("sensing: drivers, detectors and timers together (in XS)", () => {
  let xs: XsScenario;
  const call = async <T = any>(request: object) => (await xs.call<T>(request)).value;
  const take = () => call<Sent[]>({ op: "take" });

  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/sensing.ts", import.meta.url));
    const config: SensingConfig = defaultSensingConfig();
    config.smoke!.digitalAlarm = true;
    // Timers start at boot, but nothing samples until the clock moves.
    expect(await call({ op: "boot", pins: board.pins, calibration, config })).toEqual({ refused: null });
    await call({ op: "waveform", pin: "smoke", waveform: steady(300, 3) });
    await call({ op: "ntc", celsius: 24 });
    await call({ op: "waveform", pin: "current", waveform: current(8) });
    await call({ op: "waveform", pin: "leakage", waveform: current(5, leak.unitsPerCount) });
    await call({ op: "i2c", address: 0x48, registers: { 0x0f: 0x0117, 0x00: Math.round(23.8 / 0.0078125) } });
  });
  afterAll(() => xs.close());

  it("samples every sensor at its rate and stays quiet on a quiet hour", async () => {
    await call({ op: "advance", ms: 3_600_000 });
    expect(await take()).toEqual([]);
    const state = await call({ op: "inspect" });
    expect(state.samples).toBe(3 * 3600);
    expect(state.readings.ntcC).toBeCloseTo(24, 0);
    expect(state.readings.tmp117C).toBeCloseTo(23.8, 2);
    expect(state.readings.currentA).toBeCloseTo(8, 0);
    expect(state.readings.leakageMa).toBeGreaterThan(3);
    expect(state.readings.leakageMa).toBeLessThan(7);
    // The learnt clean air is kept in flash, so a restart does not forget it.
    expect(Number(state.flash.smokeBaseline)).toBeCloseTo(300, -1);
  });

  it("sends a leakage step as a valid alarm with its evidence and state, within 30 s", async () => {
    await call({ op: "waveform", pin: "leakage", waveform: current(350, leak.unitsPerCount) });
    await call({ op: "advance", ms: 30_000 });
    const sent = await take();
    expect(sent).toHaveLength(1);
    expect(sent[0].problem).toBeNull();
    expect(sent[0].alarm).toMatchObject({ kind: "leakage", severity: "alarm", state: "raised", unit: "mA", threshold: 300, sensor: "leakage", evidenceIntervalMs: 1000 });
    expect(sent[0].alarm.value).toBeCloseTo(350, -1);
    expect(sent[0].alarm.evidence.at(-1)).toBeCloseTo(350, -1);
    expect(sent[0].alarm.detector).toMatchObject({ thresholdMa: 300 });
    await call({ op: "waveform", pin: "leakage", waveform: current(5, leak.unitsPerCount) });
    await call({ op: "advance", ms: 60_000 });
    expect((await take()).map((s) => [s.alarm.kind, s.alarm.state])).toEqual([["leakage", "cleared"]]);
  });

  it("turns an NTC heated at 20 K/min into a heat alarm inside the EN 54-5 window", async () => {
    await call({ op: "heat-trace", trace: { intervalMs: 1000, baseline: 24, lagMs: 10_000, events: [{ type: "ramp", atS: 0, perMin: 20 }] }, seconds: 140 });
    const sent = await take();
    const heat = sent.find((s) => s.alarm.kind === "heat")!;
    expect(heat.problem).toBeNull();
    expect(heat.alarm).toMatchObject({ severity: "alarm", state: "raised", unit: "°C", sensor: "ntc" });
    const afterS = (heat.atMs - (await call({ op: "inspect" })).now) / 1000 + 140;
    expect(afterS).toBeGreaterThanOrEqual(30);
    expect(afterS).toBeLessThanOrEqual(140);
    await call({ op: "ntc", celsius: 24 });
    await call({ op: "advance", ms: 120_000 });
    expect((await take()).map((s) => [s.alarm.kind, s.alarm.state])).toEqual([["heat", "cleared"]]);
  });

  it("sends a disconnected chamber as a sensor fault naming the sensor and how it failed", async () => {
    await call({ op: "level", pin: "smoke", value: 4095 });
    await call({ op: "advance", ms: 10_000 });
    const [fault] = await take();
    expect(fault.problem).toBeNull();
    expect(fault.alarm).toMatchObject({ kind: "sensor-fault", severity: "warning", state: "raised", sensor: "smoke", fault: "open" });
    await call({ op: "waveform", pin: "smoke", waveform: steady(300, 3) });
    await call({ op: "advance", ms: 90_000 });
    expect((await take()).map((s) => [s.alarm.kind, s.alarm.state, s.alarm.fault])).toEqual([["sensor-fault", "cleared", "open"]]);
  });

  it("follows the smoke IC's own alarm output", async () => {
    await call({ op: "level", pin: "smokeAlarm", value: 0 });
    await call({ op: "advance", ms: 5_000 });
    const sent = await take();
    expect(sent.map((s) => [s.alarm.kind, s.alarm.state, s.alarm.sensor])).toEqual([["smoke", "raised", "smoke-ic"]]);
    await call({ op: "level", pin: "smokeAlarm", value: 1 });
    await call({ op: "advance", ms: 40_000 });
    expect((await take()).map((s) => [s.alarm.kind, s.alarm.state])).toEqual([["smoke", "cleared"]]);
  });

  describe("config", () => {
    const withLeakage = (thresholdMa: number, holdMs = 5_000): SensingConfig => {
      const config = defaultSensingConfig();
      config.electrical!.leakage = { ...config.electrical!.leakage, thresholdMa, holdMs };
      return config;
    };

    it.each([
      ["not an object", "lots", /must be an object/],
      ["an unknown group", { ...defaultSensingConfig(), sprinkler: {} }, /no group "sprinkler"/],
      ["a leakage setting below GB 14287.2's range", withLeakage(10), /thresholdMa must be a number in 20–1000 mA/],
      ["a leakage setting above it", withLeakage(1001), /thresholdMa/],
      ["a leakage hold that misses the 30 s", withLeakage(300, 29_500), /within 30 s/],
      ["a static temperature outside class A1", { ...defaultSensingConfig(), heat: { ...defaultSensingConfig().heat!, staticC: 70 } }, /staticC.*54/],
      ["a rate element EN 54-5 would call too fast", { ...defaultSensingConfig(), heat: { ...defaultSensingConfig().heat!, rateHoldMs: 2_000 } }, /EN 54-5 class A1 forbids an alarm before/],
      ["a pre-alarm above the alarm", { ...defaultSensingConfig(), smoke: { ...defaultSensingConfig().smoke!, preAlarmDeltaRaw: 500 } }, /preAlarmDeltaRaw must be below alarmDeltaRaw/],
      ["an interval that cuts a mains cycle", { ...defaultSensingConfig(), electrical: { ...defaultSensingConfig().electrical!, intervalMs: 1010 } }, /whole mains cycles/],
      ["a missing field", { smoke: { ...defaultSensingConfig().smoke!, alarmHoldMs: undefined } }, /alarmHoldMs/],
    ])("refuses %s with a reason and keeps the running config", async (_name, config, reason) => {
      const before = await call({ op: "inspect" });
      const { refused } = await call<{ refused: string | null }>({ op: "apply", config });
      expect(refused).toMatch(reason);
      await call({ op: "advance", ms: 1_000 });
      const after = await call({ op: "inspect" });
      expect(after.samples - before.samples).toBe(3);
    });

    it("keeps alarming at the old setting after a refusal, and at the new one once applied", async () => {
      expect((await call({ op: "apply", config: withLeakage(10) })).refused).not.toBeNull();
      await call({ op: "waveform", pin: "leakage", waveform: current(200, leak.unitsPerCount) });
      await call({ op: "advance", ms: 60_000 });
      expect(await take()).toEqual([]);
      expect((await call({ op: "apply", config: withLeakage(100) })).refused).toBeNull();
      await call({ op: "advance", ms: 30_000 });
      const sent = await take();
      expect(sent.map((s) => [s.alarm.kind, s.alarm.state, s.alarm.threshold])).toEqual([["leakage", "raised", 100]]);
      await call({ op: "waveform", pin: "leakage", waveform: current(5, leak.unitsPerCount) });
      await call({ op: "advance", ms: 60_000 });
      await take();
    });

    it("follows an e-bike charge on a shed circuit as events, not alarms", async () => {
      const config = defaultSensingConfig();
      config.electrical!.charging = defaultChargingSettings();
      expect((await call({ op: "apply", config })).refused).toBeNull();
      await call({ op: "waveform", pin: "current", waveform: current(0.02) });
      await call({ op: "advance", ms: 60_000 });
      await call({ op: "events" });
      await call({ op: "waveform", pin: "current", waveform: current(0.8) });
      await call({ op: "advance", ms: 3_600_000 });
      await call({ op: "waveform", pin: "current", waveform: current(0.02) });
      await call({ op: "advance", ms: 180_000 });
      const events = await call<Array<{ name: string; data: Record<string, number> }>>({ op: "events" });
      expect(events.map((e) => e.name)).toEqual(["charge-started", "charge-ended"]);
      expect(events[0].data.currentA).toBeCloseTo(0.8, 1);
      expect(events[1].data.sessionMin).toBeGreaterThan(59);
      expect(await take()).toEqual([]);
      await call({ op: "waveform", pin: "current", waveform: current(8) });
      expect((await call({ op: "apply", config: defaultSensingConfig() })).refused).toBeNull();
    });

    it("watches the circuit's cable probe (GB 14287.3) on the I2C bus, and reports it missing as a fault", async () => {
      const config = defaultSensingConfig();
      config.electrical!.cable = defaultCableSettings();
      const probe = calibration.cableTmp117Address;
      await call({ op: "i2c", address: probe, registers: { 0x0f: 0x0117, 0x00: Math.round(31 / 0.0078125) } });
      expect((await call({ op: "apply", config })).refused).toBeNull();
      await call({ op: "advance", ms: 60_000 });
      expect(await take()).toEqual([]);
      expect((await call({ op: "inspect" })).readings.cableC).toBeCloseTo(31, 2);
      await call({ op: "i2c", address: probe, registers: { 0x00: Math.round(75 / 0.0078125) } });
      await call({ op: "advance", ms: 15_000 });
      const [overheat] = await take();
      expect(overheat.problem).toBeNull();
      expect(overheat.alarm).toMatchObject({ kind: "cable-overheat", severity: "alarm", state: "raised", unit: "°C", sensor: "cable", threshold: 70 });
      expect(overheat.alarm.detector).toMatchObject({ setpointC: 70 });
      await call({ op: "i2c", address: probe, registers: null });
      await call({ op: "advance", ms: 30_000 });
      const sent = await take();
      expect(sent.map((s) => [s.alarm.kind, s.alarm.sensor, s.alarm.fault])).toEqual([["sensor-fault", "cable", "no-response"]]);
      expect((await call({ op: "apply", config: defaultSensingConfig() })).refused).toBeNull();
    });

    it("refuses a cable setting outside GB 14287.3's 55–140 °C", async () => {
      const config = defaultSensingConfig();
      config.electrical!.cable = { ...defaultCableSettings(), setpointC: 150 };
      expect((await call({ op: "apply", config })).refused).toMatch(/setpointC must be a number in 55–140 °C/);
    });

    it("keeps the learnt smoke baseline across a config change", async () => {
      const before = (await call({ op: "inspect" })).smoke.baselineRaw;
      const config = defaultSensingConfig();
      config.smoke!.baselineRaw = 250;
      expect((await call({ op: "apply", config })).refused).toBeNull();
      expect((await call({ op: "inspect" })).smoke.baselineRaw).toBe(before);
    });
  });
});
