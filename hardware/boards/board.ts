/**
 * A board definition: which chip, and which GPIO does what. The firmware never writes a pin
 * number; it reads them from `mc/config` (built from these definitions into manifest.json) on
 * the device, and from the same definitions in the simulator.
 */
export interface BoardDefinition {
  id: string;
  name: string;
  chip: "esp32" | "esp32s3";
  /** Moddable platform string for `mcconfig -p`. */
  platform: "esp32" | "esp32/esp32s3";
  adcResolutionBits: number;
  /** Named GPIOs, e.g. `smoke` for the smoke chamber's ADC input. */
  pins: Record<string, number>;
}
