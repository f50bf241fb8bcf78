import type { ChipId } from "../chips/chip";

/**
 * A board definition: which chip and module, which GPIOs its headers bring out, which it keeps
 * for itself, and which GPIO carries each named signal. The firmware never writes a pin number;
 * it reads them from `mc/config` (generated from these definitions into manifest.json by
 * `npm run hardware`) on the device, and from the same definitions in the simulator.
 */
export interface BoardDefinition {
  id: string;
  name: string;
  chip: ChipId;
  /** Moddable platform string for `mcconfig -p`. */
  platform: "esp32" | "esp32/esp32s3";
  module: {
    name: string;
    /** Octal flash or PSRAM takes more GPIOs than quad (ESP32-S3: GPIO33–37). */
    flash: "quad" | "octal";
    psram: "none" | "quad" | "octal";
  };
  adcResolutionBits: number;
  /** Header position of each GPIO the board brings out, e.g. `34: "J2-5"`. */
  header: Readonly<Record<number, string>>;
  /** GPIOs the board itself uses (USB-serial bridge, USB, LEDs) and for what. */
  reserved: Readonly<Record<number, string>>;
  /**
   * Named GPIOs: one name per signal of every node kind (hardware/kinds/), each GPIO at most
   * once, so one wiring convention holds for every node built on this board.
   */
  pins: Record<string, number>;
  /**
   * Millivolts at the ADC's top count. Moddable's ESP32 Analog reads calibrated at 12 dB
   * attenuation and scales to 2450 mV (modules/io/analog/esp32, kAttenuationTable).
   */
  adcFullScaleMv: number;
  /**
   * How each held output (`relayLock`, `warningLight`) is driven, by signal name; see
   * hardware/elevator-node.md. The validator checks each names a relay or output of a node kind.
   */
  outputDrive: Record<string, OutputDrive>;
}

/**
 * `pulse`: through a retriggerable monostable holding the load `holdMs` after each rising edge
 * (fail-safe: no pulses, no load); `level`: the pin drives the load directly (bench only).
 * The firmware's `actuators/held-output.ts` declares the same shape.
 */
export type OutputDrive = { drive: "pulse"; holdMs: number } | { drive: "level"; activeLevel: 0 | 1 };
