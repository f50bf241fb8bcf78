import type { SensorCalibration } from "../../firmware/calibration";
import type { Device } from "../../firmware/ports/io";
import type { SensingConfig } from "../../firmware/sensing-config";
import { NaiveCable, NaiveHeat, NaiveLeakage, NaiveOvercurrent, NaiveSmoke, type NaiveEvent } from "./detectors";

/**
 * One sensor node's second, written idiomatically: each channel's background sums taken into a
 * fresh array and turned into a `{ count, mean, meanSquare }` object, temperatures converted
 * through small objects, the TMP117 words read through a fresh DataView, detectors from
 * ./detectors. Same IO and same config as firmware/node/sensing.ts.
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
  #cable;
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
    this.#cable = e.cable ? new NaiveCable({ ...e.cable, intervalMs: e.intervalMs }) : null;
    const io = device.io;
    this.#adc = {
      smoke: new io.Analog({ pin: device.pin.smoke }),
      ntc: new io.Analog({ pin: device.pin.heat }),
      ct: new io.BackgroundAnalog!({ pin: device.pin.current }),
      leakage: new io.BackgroundAnalog!({ pin: device.pin.leakage }),
      tmp117: new io.I2C({ data: device.pin.i2cSda, clock: device.pin.i2cScl, hz: 400_000, address: calibration.tmp117Address }),
      cable: new io.I2C({ data: device.pin.i2cSda, clock: device.pin.i2cScl, hz: 400_000, address: calibration.cableTmp117Address }),
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

    const taken = (input: { take(sums: Float64Array, offset: number): number }) => {
      const sums = new Float64Array(4);
      const count = input.take(sums, 0);
      return { count, mean: sums[1] / count, meanSquare: sums[2] / count };
    };
    const rms = (reading: { mean: number; meanSquare: number }, unitsPerCount: number) => Math.sqrt(Math.max(0, reading.meanSquare - reading.mean ** 2)) * unitsPerCount;
    found.push(...this.#overcurrent.update(rms(taken(adc.ct), this.#calibration.ct.unitsPerCount), t));
    found.push(...this.#leakage.update(rms(taken(adc.leakage), this.#calibration.leakage.unitsPerCount), t));
    if (this.#cable) {
      adc.cable.write(Uint8Array.of(0x00));
      const word = new Uint8Array(2);
      adc.cable.read(word);
      found.push(...this.#cable.update(new DataView(word.buffer).getInt16(0) * 0.0078125, t));
    }
    this.events.push(...found);
    return found.length;
  }
}
