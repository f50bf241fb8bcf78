import { decodeNodeMessage, encodeMessage } from "../../../shared/codec";
import type { AlarmMessage } from "../../../shared/messages";
import { nodeTopic } from "../../../shared/topics";
import type { SensorCalibration } from "../../../firmware/calibration";
import { Sensing, type AlarmBody } from "../../../firmware/node/sensing";
import { simDevice, SimI2cBus, SimPins, type WaveformSpec } from "../../../firmware/platform/sim/sim-io";
import { VirtualClock } from "../../../firmware/platform/sim/virtual-clock";
import type { KeyValueStore } from "../../../firmware/ports/storage";
import { Trace, type TraceSpec } from "../../support/traces";
import { serveScenario } from "./scenario";

declare function gc(): void;

/**
 * A whole sensing assembly (drivers, detectors, timers) on the simulated provider, inside XS:
 * the test sets waveforms, levels and I2C registers, moves the virtual clock, applies configs
 * and collects every alarm the node would send, each checked by the shared codec as the cloud
 * would check it.
 */
const clock = new VirtualClock();
const pins = new SimPins();
const bus = new SimI2cBus();
const flash = new Map<string, string>();
const storage: KeyValueStore = { get: (k) => flash.get(k), set: (k, v) => void flash.set(k, v), delete: (k) => void flash.delete(k) };
let pinMap: Record<string, number> = {};
let calibration: SensorCalibration;
let sensing: Sensing | undefined;
let sent: Array<{ atMs: number; alarm: AlarmBody; problem: string | null }> = [];
let events: Array<{ atMs: number; name: string; data: Record<string, number> }> = [];
let seq = 0;

function send(alarm: AlarmBody): void {
  const message = { v: 1, node: "sensor-xs-01", boot: 1, seq: ++seq, t: clock.now(), type: "alarm", ...alarm } as AlarmMessage;
  const decoded = decodeNodeMessage(nodeTopic("sensor-xs-01", "alarm"), encodeMessage(message));
  sent.push({ atMs: clock.now(), alarm: JSON.parse(encodeMessage(message)), problem: decoded.ok ? null : `${decoded.reason}: ${decoded.detail}` });
}

/** ADC counts of the board's NTC divider at `celsius`. */
function ntcCounts(celsius: number): number {
  const ntc = calibration.ntc;
  if (ntc.model !== "beta") throw new Error("the scenario drives beta-model thermistors");
  const ohms = ntc.r25Ohm * Math.exp(ntc.beta * (1 / (celsius + 273.15) - 1 / 298.15));
  return ((ntc.supplyMv * ohms) / (ohms + ntc.seriesOhm) / calibration.adcFullScaleMv) * 4095;
}

type Request =
  | { op: "boot"; pins: Record<string, number>; calibration: SensorCalibration; config: unknown }
  | { op: "apply"; config: unknown }
  | { op: "level"; pin: string; value: number }
  | { op: "waveform"; pin: string; waveform: WaveformSpec | null }
  | { op: "ntc"; celsius: number; noiseCounts?: number }
  | { op: "i2c"; address: number; registers: Record<number, number> | null }
  | { op: "heat-trace"; trace: TraceSpec; seconds: number }
  | { op: "leakage-ramp"; fromMa: number; toMa: number; seconds: number; noiseCounts: number; seed: number }
  | { op: "advance"; ms: number }
  | { op: "take" }
  | { op: "gc" }
  | { op: "i2c-nacks" }
  | { op: "events" }
  | { op: "inspect" };

serveScenario((request: Request) => {
  switch (request.op) {
    case "boot":
      pinMap = request.pins;
      calibration = request.calibration;
      sensing = new Sensing({
        clock,
        timers: clock,
        device: simDevice(pins, pinMap, 12, { clock, bus }),
        storage,
        log: () => {},
        calibration,
        send,
        event: (name, data) => void events.push({ atMs: clock.now(), name, data }),
      });
      return { refused: sensing.apply(request.config) };
    case "apply":
      return { refused: sensing!.apply(request.config) };
    case "level":
      pins.set(pinMap[request.pin], request.value);
      return {};
    case "waveform":
      pins.setWaveform(pinMap[request.pin], request.waveform);
      return {};
    case "ntc":
      pins.setWaveform(pinMap.heat, { offsetCounts: ntcCounts(request.celsius), amplitudeCounts: 0, hz: 0, noiseCounts: request.noiseCounts ?? 2, seed: 3 });
      return {};
    case "i2c":
      if (request.registers) bus.attach(request.address, request.registers);
      else bus.detach(request.address);
      return {};
    case "heat-trace": {
      // The air temperature follows the trace; the NTC pin follows the air, one step per second.
      const trace = new Trace(request.trace);
      for (let s = 0; s < request.seconds; s++) {
        pins.set(pinMap.heat, ntcCounts(trace.next()));
        clock.advance(1000);
      }
      return { now: clock.now() };
    }
    case "leakage-ramp": {
      // A residual current raised slowly, one step a second, until the first leakage alarm: the
      // true current at that moment is the detector's alarm value (GB 14287.2's test method).
      const leak = calibration.leakage;
      const alarmsBefore = sent.length;
      for (let s = 0; s <= request.seconds; s++) {
        const trueMa = request.fromMa + ((request.toMa - request.fromMa) * s) / request.seconds;
        pins.setWaveform(pinMap.leakage, { offsetCounts: leak.biasCounts, amplitudeCounts: (trueMa / leak.unitsPerCount) * Math.SQRT2, hz: 50, noiseCounts: request.noiseCounts, seed: request.seed + s });
        clock.advance(1000);
        for (let i = alarmsBefore; i < sent.length; i++) if (sent[i].alarm.kind === "leakage") return { trueMa, atS: s };
      }
      return { trueMa: NaN, atS: NaN };
    }
    case "advance":
      clock.advance(request.ms);
      return { now: clock.now() };
    case "gc":
      gc();
      return {};
    case "i2c-nacks":
      return { nacks: bus.nacks };
    case "take": {
      const taken = sent;
      sent = [];
      return taken;
    }
    case "events": {
      const taken = events;
      events = [];
      return taken;
    }
    case "inspect":
      return { now: clock.now(), ...sensing!.inspect(), readings: sensing!.readings(), flash: Object.fromEntries(flash) };
  }
});
