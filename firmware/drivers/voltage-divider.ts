import type { AnalogConstructor, AnalogInput, PinSpecifier } from "../ports/io";

/**
 * A supply or battery voltage through a resistor divider (`ratio` = R_bottom / (R_top + R_bottom))
 * on an ADC pin. A reading at the top count means the divider's output is above full scale (wrong
 * divider, or a supply far too high) and gives NaN.
 */
export class VoltageDivider {
  #adc: AnalogInput;
  #maxCount: number;
  #voltsPerCount: number;

  constructor(options: { io: AnalogConstructor; pin: PinSpecifier; fullScaleMv: number; ratio: number }) {
    if (!(options.ratio > 0 && options.ratio <= 1)) throw new RangeError("ratio must be in (0, 1]");
    this.#adc = new options.io({ pin: options.pin });
    this.#maxCount = 2 ** this.#adc.resolution - 1;
    this.#voltsPerCount = options.fullScaleMv / 1000 / this.#maxCount / options.ratio;
  }

  /** Volts at the top of the divider, or NaN when the ADC is saturated. */
  sample(): number {
    const count = this.#adc.read();
    return count >= this.#maxCount ? NaN : count * this.#voltsPerCount;
  }

  close(): void {
    this.#adc.close();
  }
}
