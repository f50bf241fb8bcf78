/// <reference path="../../tests/firmware/xs/xs-globals.d.ts" />
import type { SensorCalibration } from "../../firmware/calibration";
import { CableTemperatureDetector } from "../../firmware/detectors/cable-temperature";
import { ChargingDetector } from "../../firmware/detectors/charging";
import type { Detector } from "../../firmware/detectors/events";
import { HeatDetector } from "../../firmware/detectors/heat";
import { LeakageDetector } from "../../firmware/detectors/leakage";
import { OvercurrentDetector } from "../../firmware/detectors/overcurrent";
import { SmokeDetector } from "../../firmware/detectors/smoke";
import { AcCurrentMeter } from "../../firmware/drivers/ac-current";
import { Sensing } from "../../firmware/node/sensing";
import { VirtualClock } from "../../firmware/platform/sim/virtual-clock";
import type { AnalogInput, BackgroundAnalogInput, Device, DigitalPort, I2cPort } from "../../firmware/ports/io";
import { defaultCableSettings, defaultChargingSettings, defaultSensingConfig } from "../../firmware/sensing-config";
import { esp32DevkitC } from "../../hardware/boards";
import { sensorCalibration } from "../../hardware/calibration";
import { Trace, type TraceEvent, type TraceSpec } from "../../tests/support/traces";
import { serveScenario } from "../../tests/firmware/xs/scenario";
import { NaiveCable, NaiveCharging, NaiveHeat, NaiveLeakage, NaiveOvercurrent, NaiveSmoke } from "../naive/detectors";
import { NaiveNode } from "../naive/node";

declare function gc(): void;

/**
 * The edge benchmark's XS side. Inputs are synthesized once into typed arrays (`prepare`), so a
 * measured crank spends its compute on the detectors only; `run` plays `count` samples through
 * one detector, lean or naive, and the host reads the crank's meter.
 */
const N = 100_000;
const config = defaultSensingConfig();
const electrical = config.electrical!;
const settings = {
  smoke: config.smoke!,
  heat: config.heat!,
  overcurrent: { ...electrical.overcurrent, intervalMs: 1000 },
  leakage: { ...electrical.leakage, intervalMs: 1000 },
  charging: { ...defaultChargingSettings(), intervalMs: 1000 },
  cable: { ...defaultCableSettings(), intervalMs: 1000 },
};
type Target = keyof typeof settings;

const every = (count: number, periodS: number, make: (atS: number) => TraceEvent): TraceEvent[] => Array.from({ length: count }, (_, i) => make(600 + i * periodS));
const traces: Record<Target, TraceSpec> = {
  // Clean air with a kitchen puff every hour and three smouldering fires.
  smoke: {
    intervalMs: 1000,
    baseline: 300,
    noise: 3,
    dailySwing: 8,
    quantum: 1,
    events: [...every(27, 3600, (atS) => ({ type: "pulse", atS, riseS: 3, holdS: 8, fallS: 10, height: 650 })), ...every(3, 30_000, (atS) => ({ type: "pulse", atS: atS + 1200, riseS: 2400, holdS: 600, fallS: 600, height: 600 }))],
  },
  // A room swinging ±5 K a day with a fast fire-like rise and fall every 8 hours.
  heat: { intervalMs: 1000, baseline: 25, noise: 0.05, dailySwing: 5, lagMs: 10_000, events: every(4, 28_800, (atS) => ({ type: "pulse", atS, riseS: 180, holdS: 300, fallS: 1200, height: 40 })) },
  // An 8 A motor load starting every 10 min, and a 60 s 1.5× overload every 5 hours.
  overcurrent: {
    intervalMs: 1000,
    baseline: 8,
    noise: 0.2,
    events: [...every(160, 600, (atS) => ({ type: "pulse", atS, riseS: 0.2, holdS: 2, fallS: 1, height: 40 })), ...every(5, 18_000, (atS) => ({ type: "pulse", atS: atS + 300, riseS: 1, holdS: 60, fallS: 1, height: 16 }))],
  },
  // A few mA of leakage with a 60 s 400 mA fault every 3 hours.
  leakage: { intervalMs: 1000, baseline: 5, noise: 2, events: every(9, 10_800, (atS) => ({ type: "pulse", atS, riseS: 0.5, holdS: 60, fallS: 0.5, height: 400 })) },
  // Two charges a day, one of them with a failing pack.
  charging: {
    intervalMs: 1000,
    baseline: 0.02,
    noise: 0.01,
    events: [
      ...every(2, 43_200, (atS) => ({ type: "step", atS, height: 0.8, untilS: atS + 10_800 })),
      ...every(2, 43_200, (atS) => ({ type: "decay", atS: atS + 10_800, height: 0.78, tauS: 1200 })),
      { type: "step", atS: 43_800 + 10_800 + 1800, height: 0.5, untilS: 43_800 + 10_800 + 2400 },
    ],
  },
  // A terminal at 35–50 °C under a day's load, loosening to 80 °C for half an hour every 8 hours.
  cable: { intervalMs: 1000, baseline: 42, noiseSigma: 0.05, dailySwing: 8, lagMs: 10_000, events: every(4, 28_800, (atS) => ({ type: "pulse", atS, riseS: 600, holdS: 1800, fallS: 900, height: 38 })) },
};

const inputs = {} as Record<Target, Float32Array>;
const generators = {} as Record<Target, Trace>;
const lean = {} as Record<Target, Detector>;
const naive = {} as Record<Target, { update(value: number, t: number): unknown[] }>;
/** Where each implementation is in each input, so lean and naive play the same samples at the same times. */
const cursor = { lean: {} as Record<Target, number>, naive: {} as Record<Target, number>, loop: {} as Record<Target, number> };
const eventLog = { lean: {} as Record<Target, Array<[number, string, string, string]>>, naive: {} as Record<Target, Array<[number, string, string, string]>> };

function reset(target: Target): void {
  lean.smoke = new SmokeDetector(settings.smoke);
  lean.heat = new HeatDetector(settings.heat, "ntc");
  lean.overcurrent = new OvercurrentDetector(settings.overcurrent);
  lean.leakage = new LeakageDetector(settings.leakage);
  lean.charging = new ChargingDetector(settings.charging);
  lean.cable = new CableTemperatureDetector(settings.cable);
  naive.smoke = new NaiveSmoke(settings.smoke);
  naive.heat = new NaiveHeat(settings.heat);
  naive.overcurrent = new NaiveOvercurrent(settings.overcurrent);
  naive.leakage = new NaiveLeakage(settings.leakage);
  naive.charging = new NaiveCharging(settings.charging);
  naive.cable = new NaiveCable(settings.cable);
  cursor.lean[target] = cursor.naive[target] = cursor.loop[target] = 0;
  eventLog.lean[target] = [];
  eventLog.naive[target] = [];
}

function run(target: Target, impl: "lean" | "naive" | "loop", count: number, record: boolean): number {
  const x = inputs[target];
  let i = cursor[impl][target];
  let events = 0;
  if (impl === "lean") {
    const detector = lean[target];
    for (let k = 0; k < count; k++, i++) {
      const n = detector.update(x[i % N], i * 1000);
      if (n) {
        events += n;
        if (record) for (let e = 0; e < n; e++) eventLog.lean[target].push([i, detector.events.slots[e].kind, detector.events.slots[e].severity, detector.events.slots[e].state]);
      }
    }
  } else if (impl === "naive") {
    const detector = naive[target];
    for (let k = 0; k < count; k++, i++) {
      const found = detector.update(x[i % N], i * 1000) as Array<{ kind: string; severity: string; state: string }>;
      if (found.length) {
        events += found.length;
        if (record) for (const e of found) eventLog.naive[target].push([i, e.kind, e.severity, e.state]);
      }
    }
  } else {
    let sink = 0;
    for (let k = 0; k < count; k++, i++) sink += x[i % N] + i * 1000;
    events = sink > 0 ? 0 : 1;
  }
  cursor[impl][target] = i;
  return events;
}

/* ---- one node's pipeline: real drivers and detectors on replayed ADC and I2C inputs ---- */

const TICKS = 10_000;
const calibration: SensorCalibration = sensorCalibration(esp32DevkitC);
const PINS = { smoke: 34, heat: 35, current: 36, leakage: 39, i2cSda: 21, i2cScl: 22 };
const replay: Record<number, { values: Float32Array; next: number }> = {};
/** Conversions a channel gets in a second on the ESP32: 20 kHz shared by four ADC1 channels. */
const CONVERSIONS_PER_SECOND = 5_000;
/** Per pin, a second's background sums after another: what the native sampler hands over. */
const sums: Record<number, { values: Float64Array; next: number }> = {};

/** An ADC that replays recorded counts: a few operations per read, like a native call's cost to JS. */
class ReplayAnalog implements AnalogInput {
  readonly resolution = 12;
  #source: { values: Float32Array; next: number };
  constructor(options: { pin: number }) {
    this.#source = replay[options.pin];
  }
  read(): number {
    const s = this.#source;
    const value = s.values[s.next];
    s.next = s.next + 1 === s.values.length ? 0 : s.next + 1;
    return value;
  }
  close(): void {}
}
/** The background sampler, replayed: each take copies a second's four sums, as the FFI call does. */
class ReplayBackground implements BackgroundAnalogInput {
  readonly resolution = 12;
  #source: { values: Float64Array; next: number };
  constructor(options: { pin: number }) {
    this.#source = sums[options.pin];
  }
  take(out: Float64Array, offset: number): number {
    const s = this.#source;
    const at = s.next;
    out[offset] = s.values[at];
    out[offset + 1] = s.values[at + 1];
    out[offset + 2] = s.values[at + 2];
    out[offset + 3] = s.values[at + 3];
    s.next = at + 4 === s.values.length ? 0 : at + 4;
    return s.values[at];
  }
  close(): void {}
}
class ReplayI2C implements I2cPort {
  #pointer = 0;
  #word = 0;
  write(buffer: Uint8Array): void {
    this.#pointer = buffer[0];
  }
  read(buffer: Uint8Array): number {
    this.#word = this.#pointer === 0x0f ? 0x0117 : 3040 + (this.#word & 7) + 1;
    buffer[0] = this.#word >> 8;
    buffer[1] = this.#word & 0xff;
    return 2;
  }
  close(): void {}
}
class NoDigital implements DigitalPort {
  static readonly Input = 0;
  static readonly InputPullUp = 1;
  static readonly Output = 8;
  read(): number {
    return 1;
  }
  write(): void {}
  close(): void {}
}
class NoSerial {
  write(): void {}
  close(): void {}
}
const device: Device = {
  io: { Analog: ReplayAnalog, Digital: NoDigital, I2C: ReplayI2C, Serial: NoSerial, BackgroundAnalog: ReplayBackground },
  I2C: { default: { io: ReplayI2C, data: 21, clock: 22 } },
  pin: PINS,
};

function prepareReplay(): void {
  // A second of a mains current at 5,000 conversions, summed as the native sampler sums it.
  const seconds = (milliampsOrAmps: number, unitsPerCount: number, seed: number) => {
    const values = new Float64Array(4 * 97);
    let state = seed;
    for (let s = 0; s < 97; s++) {
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < CONVERSIONS_PER_SECOND; i++) {
        state = (state * 1103515245 + 12345) >>> 0;
        const x = Math.round(calibration.ct.biasCounts + (milliampsOrAmps / unitsPerCount) * Math.SQRT2 * Math.sin((2 * Math.PI * 50 * i) / CONVERSIONS_PER_SECOND + s) + ((state >>> 16) % 5) - 2);
        sum += x;
        squares += x * x;
      }
      values.set([CONVERSIONS_PER_SECOND, sum, squares, 0], 4 * s);
    }
    return { values, next: 0 };
  };
  const smoke = new Float32Array(inputs.smoke.length);
  smoke.set(inputs.smoke);
  replay[PINS.smoke] = { values: smoke, next: 0 };
  const ntc = new Float32Array(TICKS);
  for (let i = 0; i < TICKS; i++) ntc[i] = 2180 + (i % 7) - 3;
  replay[PINS.heat] = { values: ntc, next: 0 };
  sums[PINS.current] = seconds(8, calibration.ct.unitsPerCount, 7);
  sums[PINS.leakage] = seconds(5, calibration.leakage.unitsPerCount, 9);
}

const pipelineConfig = { smoke: config.smoke, heat: config.heat, electrical: { ...electrical, cable: defaultCableSettings() } };
let clock: VirtualClock;
let sensing: Sensing;
let naiveNode: NaiveNode;
let emptyClock: VirtualClock;
let naiveTick = 0;
let sent = 0;

/** The reads one node second makes, with nothing done with them: what the (native, on a device) IO calls cost. */
let io: { smoke: ReplayAnalog; ntc: ReplayAnalog; ct: ReplayBackground; leakage: ReplayBackground; i2c: ReplayI2C; cable: ReplayI2C; pointer: Uint8Array; word: Uint8Array; sums: Float64Array };
function ioOnly(): number {
  let sink = io.smoke.read() + io.ntc.read();
  io.i2c.write(io.pointer);
  io.i2c.read(io.word);
  io.cable.write(io.pointer);
  io.cable.read(io.word);
  sink += io.ct.take(io.sums, 0) + io.leakage.take(io.sums, 4);
  return sink;
}

/** What the electrical group's JavaScript costs a second: the meter's two takes and RMS, the detectors on top. */
let meterOnly: { measure(): void } | undefined;

function preparePipeline(): void {
  for (const key of Object.keys(replay)) replay[Number(key)].next = 0;
  for (const key of Object.keys(sums)) sums[Number(key)].next = 0;
  io = {
    smoke: new ReplayAnalog({ pin: PINS.smoke }),
    ntc: new ReplayAnalog({ pin: PINS.heat }),
    ct: new ReplayBackground({ pin: PINS.current }),
    leakage: new ReplayBackground({ pin: PINS.leakage }),
    i2c: new ReplayI2C(),
    cable: new ReplayI2C(),
    pointer: new Uint8Array(1),
    word: new Uint8Array(2),
    sums: new Float64Array(8),
  };
  meterOnly = new AcCurrentMeter({
    io: ReplayBackground,
    channels: [
      { pin: PINS.current, calibration: calibration.ct },
      { pin: PINS.leakage, calibration: calibration.leakage },
    ],
  });
  clock = new VirtualClock();
  sensing = new Sensing({ clock, timers: clock, device, log: () => {}, calibration, send: () => void sent++ });
  const refused = sensing.apply(pipelineConfig);
  if (refused) throw new Error(refused);
  naiveNode = new NaiveNode(device, calibration, pipelineConfig);
  // The same three timers with empty callbacks: what the virtual clock itself costs per tick.
  emptyClock = new VirtualClock();
  for (const interval of [config.smoke!.intervalMs, config.heat!.intervalMs, electrical.intervalMs]) emptyClock.repeat(() => {}, interval);
}

serveScenario((request: { op: string; target?: Target; impl?: "lean" | "naive" | "loop" | "io" | "clock" | "meter" | "takes"; count?: number; record?: boolean }) => {
  switch (request.op) {
    case "prepare": {
      // In slices, since a trace with many events costs more than one crank's meter may count.
      const target = request.target!;
      if (!inputs[target]) {
        inputs[target] = new Float32Array(N);
        generators[target] = new Trace(traces[target]);
      }
      const trace = generators[target];
      const end = Math.min(N, trace.index + request.count!);
      for (let i = trace.index; i < end; i++) inputs[target][i] = trace.next();
      if (end === N) reset(target);
      return { done: end === N };
    }
    case "prepare-pipeline":
      prepareReplay();
      preparePipeline();
      return {};
    case "reset":
      reset(request.target!);
      return {};
    case "run":
      return { events: run(request.target!, request.impl as "lean" | "naive" | "loop", request.count!, !!request.record) };
    case "events":
      return eventLog;
    case "pipeline": {
      const count = request.count!;
      if (request.impl === "lean") for (let k = 0; k < count; k++) clock.advance(1000);
      else if (request.impl === "naive") for (let k = 0; k < count; k++) naiveNode.tick(++naiveTick * 1000);
      else if (request.impl === "io") for (let k = 0; k < count; k++) ioOnly();
      else if (request.impl === "meter") for (let k = 0; k < count; k++) meterOnly!.measure();
      else if (request.impl === "takes") for (let k = 0; k < count; k++) io.ct.take(io.sums, 0) + io.leakage.take(io.sums, 4);
      else for (let k = 0; k < count; k++) emptyClock.advance(1000);
      return { sent, naiveEvents: naiveNode.events.length, samples: sensing.samples };
    }
    case "gc":
      gc();
      return {};
  }
  return { thrown: `unknown op ${request.op}` };
});
