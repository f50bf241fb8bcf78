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
  /**
   * Millivolts at the ADC's top count. Moddable's ESP32 Analog reads calibrated at 12 dB
   * attenuation and scales to 2450 mV (modules/io/analog/esp32, kAttenuationTable).
   */
  adcFullScaleMv?: number;
  /** How each held output (`relayLock`, `warningLight`) is driven; see hardware/elevator-node.md. */
  outputDrive?: Record<string, OutputDrive>;
}

/**
 * `pulse`: through a retriggerable monostable holding the load `holdMs` after each rising edge
 * (fail-safe: no pulses, no load); `level`: the pin drives the load directly (bench only).
 * The firmware's `actuators/held-output.ts` declares the same shape.
 */
export type OutputDrive = { drive: "pulse"; holdMs: number } | { drive: "level"; activeLevel: 0 | 1 };
