import type { NtcCalibration } from "../calibration";
import { FAULT_NONE, FAULT_OPEN, FAULT_SHORT } from "../faults";
import type { AnalogConstructor, AnalogInput, PinSpecifier } from "../ports/io";

const KELVIN = 273.15;
const T25_K = 25 + KELVIN;
/** Readings within this share of either end of the ADC range mean a broken wire, not a temperature. */
const RAIL_SHARE = 0.01;

/**
 * NTC thermistor in a divider: the fixed resistor `seriesOhm` from the supply (`supplyMv`) to the
 * ADC pin, the NTC from the pin to ground. Converts counts to the thermistor's resistance, then to
 * °C with the B-parameter equation 1/T = 1/T25 + ln(R/R25)/B (the two-point simplification of
 * Steinhart–Hart that thermistor datasheets give B for) or Steinhart–Hart
 * 1/T = A + B·ln R + C·(ln R)³, whichever the calibration gives. An open thermistor pulls the pin
 * to the top of the range, a shorted one to ground: both give NaN with `fault` set, never a
 * plausible lie.
 */
export class NtcThermistor {
  fault = FAULT_NONE;
  /** The last raw reading, for telemetry and evidence. */
  raw = 0;
  #adc: AnalogInput;
  #maxCount: number;
  #mvPerCount: number;
  #calibration: NtcCalibration;

  constructor(options: {
    io: AnalogConstructor;
    pin: PinSpecifier;
    /** Millivolts at the ADC's top count (the board's calibrated full scale). */
    fullScaleMv: number;
    calibration: NtcCalibration;
  }) {
    this.#adc = new options.io({ pin: options.pin });
    this.#maxCount = 2 ** this.#adc.resolution - 1;
    this.#mvPerCount = options.fullScaleMv / this.#maxCount;
    this.#calibration = options.calibration;
  }

  /** Temperature in °C, or NaN with `fault` set. */
  sample(): number {
    const raw = (this.raw = this.#adc.read());
    const top = this.#maxCount;
    if (raw >= top * (1 - RAIL_SHARE)) {
      this.fault = FAULT_OPEN;
      return NaN;
    }
    if (raw <= top * RAIL_SHARE) {
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
