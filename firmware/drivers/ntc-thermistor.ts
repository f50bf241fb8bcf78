import type { NtcCalibration } from "../calibration";
import { FAULT_NONE, FAULT_OPEN, FAULT_SHORT } from "../faults";
import type { AnalogConstructor, AnalogInput, PinSpecifier } from "../ports/io";

const KELVIN = 273.15;
const T25_K = 25 + KELVIN;
/** Counts this close to either end of the ADC range mean a broken wire, not a temperature. */
const RAIL_MARGIN_COUNTS = 3;

/**
 * NTC thermistor on an ADC pin (NTC to ground, series resistor to the supply). Converts counts
 * to the thermistor's resistance, then to °C with the B-parameter equation
 * 1/T = 1/T25 + ln(R/R25)/B or Steinhart–Hart 1/T = A + B·ln R + C·(ln R)³, whichever the board
 * definition gives. An open thermistor pulls the node to the supply (ADC at full scale), a
 * shorted one to ground; both are reported in `fault`, never as a temperature.
 */
export class NtcThermistor {
  fault = FAULT_NONE;
  /** The last raw reading, for telemetry and evidence. */
  raw = 0;
  #adc: AnalogInput;
  #maxCount: number;
  #mvPerCount: number;
  #calibration: NtcCalibration;

  constructor(options: { io: AnalogConstructor; pin: PinSpecifier; calibration: NtcCalibration; adcFullScaleMv: number }) {
    this.#adc = new options.io({ pin: options.pin });
    this.#maxCount = 2 ** this.#adc.resolution - 1;
    this.#mvPerCount = options.adcFullScaleMv / this.#maxCount;
    this.#calibration = options.calibration;
  }

  /** Temperature in °C, or NaN with `fault` set. */
  sample(): number {
    const raw = (this.raw = this.#adc.read());
    if (raw >= this.#maxCount - RAIL_MARGIN_COUNTS) {
      this.fault = FAULT_OPEN;
      return NaN;
    }
    if (raw <= RAIL_MARGIN_COUNTS) {
      this.fault = FAULT_SHORT;
      return NaN;
    }
    const c = this.#calibration;
    const nodeMv = raw * this.#mvPerCount;
    if (nodeMv >= c.supplyMv) {
      this.fault = FAULT_OPEN;
      return NaN;
    }
    this.fault = FAULT_NONE;
    const ohms = (c.seriesOhm * nodeMv) / (c.supplyMv - nodeMv);
    const lnR = Math.log(ohms);
    const inverseK = c.model === "beta" ? 1 / T25_K + (lnR - Math.log(c.r25Ohm)) / c.beta : c.a + c.b * lnR + c.c * lnR * lnR * lnR;
    return 1 / inverseK - KELVIN;
  }

  close(): void {
    this.#adc.close();
  }
}
