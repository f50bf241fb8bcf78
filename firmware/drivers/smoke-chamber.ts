import type { AnalogConstructor, AnalogInput, PinSpecifier } from "../ports/io";

/**
 * Photoelectric smoke chamber: an IR LED and a photodiode at an angle, so clean air scatters
 * little light and smoke scatters more. The photodiode amplifier's output is read on an ADC pin;
 * higher counts mean more scattered light.
 */
export class SmokeChamber {
  #adc: AnalogInput;

  constructor(options: { io: AnalogConstructor; pin: PinSpecifier }) {
    this.#adc = new options.io({ pin: options.pin });
  }

  /** Raw ADC counts, 0 … 2^resolution − 1. */
  sample(): number {
    return this.#adc.read();
  }

  get resolution(): number {
    return this.#adc.resolution;
  }

  close(): void {
    this.#adc.close();
  }
}
