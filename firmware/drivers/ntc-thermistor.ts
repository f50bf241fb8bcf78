import type { AnalogConstructor, AnalogInput, PinSpecifier } from "../ports/io";

const KELVIN = 273.15;
const T25_K = 298.15;

/**
 * An NTC thermistor in a divider: the fixed resistor `seriesOhm` from the supply (`supplyMv`) to
 * the ADC pin, the NTC from the pin to ground. Temperature from the B-parameter equation,
 * 1/T = 1/T25 + ln(R/R25)/B (the two-point simplification of Steinhart–Hart that thermistor
 * datasheets give B for). A reading within 1 % of either rail means an open or shorted sensor
 * and gives NaN rather than a plausible lie.
 */
export class NtcThermistor {
  #adc: AnalogInput;
  #maxCount: number;
  #mvPerCount: number;
  #seriesOhm: number;
  #supplyMv: number;
  #r25Ohm: number;
  #beta: number;

  constructor(options: {
    io: AnalogConstructor;
    pin: PinSpecifier;
    /** Millivolts at the ADC's top count (the board's calibrated full scale). */
    fullScaleMv: number;
    supplyMv: number;
    seriesOhm: number;
    r25Ohm: number;
    beta: number;
  }) {
    this.#adc = new options.io({ pin: options.pin });
    this.#maxCount = 2 ** this.#adc.resolution - 1;
    this.#mvPerCount = options.fullScaleMv / this.#maxCount;
    this.#seriesOhm = options.seriesOhm;
    this.#supplyMv = options.supplyMv;
    this.#r25Ohm = options.r25Ohm;
    this.#beta = options.beta;
  }

  /** Degrees Celsius, or NaN for an open or shorted thermistor. */
  sample(): number {
    const count = this.#adc.read();
    if (count <= this.#maxCount * 0.01 || count >= this.#maxCount * 0.99) return NaN;
    const mv = count * this.#mvPerCount;
    if (mv >= this.#supplyMv) return NaN;
    const ohm = (this.#seriesOhm * mv) / (this.#supplyMv - mv);
    return 1 / (1 / T25_K + Math.log(ohm / this.#r25Ohm) / this.#beta) - KELVIN;
  }

  close(): void {
    this.#adc.close();
  }
}
