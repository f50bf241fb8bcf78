import type { SensorCalibration } from "../../firmware/calibration";
import type { Device } from "../../firmware/ports/io";
import type { SensingConfig } from "../../firmware/sensing-config";
import { NaiveHeat, NaiveLeakage, NaiveOvercurrent, NaiveSmoke, type NaiveEvent } from "./detectors";

/**
 * One sensor node's second, written idiomatically: each burst collected into an array of
 * `{ t, counts }` objects and reduced with map/reduce, temperatures converted through small
 * objects, the TMP117 word read through a fresh DataView, detectors from ./detectors. Same IO
 * and same config as firmware/node/sensing.ts.
 */
export class NaiveNode {
  readonly events: NaiveEvent[] = [];
  #device: Device;
  #calibration: SensorCalibration;
  #config: SensingConfig;
  #smoke;
  #heat;
  #overcurrent;
  #leakage;
  #adc;

  constructor(device: Device, calibration: SensorCalibration, config: SensingConfig) {
    this.#device = device;
    this.#calibration = calibration;
    this.#config = config;
    const e = config.electrical!;
    this.#smoke = new NaiveSmoke(config.smoke!);
    this.#heat = new NaiveHeat(config.heat!);
    this.#overcurrent = new NaiveOvercurrent({ ...e.overcurrent, intervalMs: e.intervalMs });
    this.#leakage = new NaiveLeakage({ ...e.leakage, intervalMs: e.intervalMs });
    const io = device.io;
    this.#adc = {
      smoke: new io.Analog({ pin: device.pin.smoke }),
      ntc: new io.Analog({ pin: device.pin.heat }),
      ct: new io.Analog({ pin: device.pin.current }),
      leakage: new io.Analog({ pin: device.pin.leakage }),
      tmp117: new io.I2C({ data: device.pin.i2cSda, clock: device.pin.i2cScl, hz: 400_000, address: calibration.tmp117Address }),
    };
  }

  tick(t: number): number {
    const found: NaiveEvent[] = [];
    const adc = this.#adc;
    found.push(...this.#smoke.update(adc.smoke.read(), t));

    const ntc = this.#calibration.ntc;
    const reading = { counts: adc.ntc.read() };
    const volts = { mv: (reading.counts * this.#calibration.adcFullScaleMv) / 4095 };
    const ohms = (ntc.seriesOhm * volts.mv) / (ntc.supplyMv - volts.mv);
    const celsius = ntc.model === "beta" ? 1 / (1 / 298.15 + Math.log(ohms / ntc.r25Ohm) / ntc.beta) - 273.15 : NaN;
    adc.tmp117.write(Uint8Array.of(0x00));
    const bytes = new Uint8Array(2);
    adc.tmp117.read(bytes);
    const ambient = new DataView(bytes.buffer).getInt16(0) * 0.0078125;
    found.push(...this.#heat.update(this.#config.heat!.source === "ntc" ? celsius : ambient, t));

    const e = this.#config.electrical!;
    const burst = (analog: { read(): number }, unitsPerCount: number) => {
      const n = e.cycles * e.samplesPerCycle;
      const samples = Array.from({ length: n }, (_, i) => ({ t: (i * 1e6) / (e.mainsHz * e.samplesPerCycle), counts: analog.read() }));
      const mean = samples.map((s) => s.counts).reduce((a, b) => a + b, 0) / samples.length;
      const square = samples.map((s) => (s.counts - mean) ** 2).reduce((a, b) => a + b, 0) / samples.length;
      return Math.sqrt(square) * unitsPerCount;
    };
    found.push(...this.#overcurrent.update(burst(adc.ct, this.#calibration.ct.unitsPerCount), t));
    found.push(...this.#leakage.update(burst(adc.leakage, this.#calibration.leakage.unitsPerCount), t));
    this.events.push(...found);
    return found.length;
  }
}
