/** One ADC input: its converter unit and channel, as the chip's datasheet numbers them. */
export interface AdcChannel {
  unit: 1 | 2;
  channel: number;
}

export type ChipId = "esp32" | "esp32s3";

/**
 * What a chip can do with each GPIO, from its datasheet. The validator checks every board
 * definition against this table, so a pin the silicon cannot serve is refused before a board is
 * wired or flashed.
 */
export interface ChipDefinition {
  id: ChipId;
  name: string;
  /** Every GPIO number the chip has; numbers missing here do not exist. */
  gpios: readonly number[];
  /** GPIOs with an input buffer only: no output driver and no internal pull resistors. */
  inputOnly: readonly number[];
  /** Pins every module wires to its SPI flash (and quad PSRAM). */
  flash: readonly number[];
  /** Pins an octal flash or octal PSRAM takes in addition. */
  octalSpi: readonly number[];
  /** Strapping pins, and what their level at reset decides. */
  strapping: Readonly<Record<number, string>>;
  adc: Readonly<Record<number, AdcChannel>>;
  /** Reference for the facts above, cited in error messages. */
  source: string;
}

export function gpioRange(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
