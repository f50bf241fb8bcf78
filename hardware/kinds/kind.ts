import type { NodeKind } from "../../shared/node-kinds";

/**
 * What a signal asks of its GPIO. The validator turns each into checks against the chip:
 * outputs need an output driver, analog inputs an ADC1 channel, relays a pin that stays quiet
 * through reset.
 */
export type SignalUse =
  | "analog-in"
  | "digital-in"
  | "button"
  | "digital-out"
  | "relay"
  | "i2c-sda"
  | "i2c-scl"
  | "uart-rx"
  | "uart-tx";

export const OUTPUT_USES: readonly SignalUse[] = ["digital-out", "relay", "i2c-sda", "i2c-scl", "uart-tx"];

export interface SignalDefinition {
  use: SignalUse;
  /** What is wired to it, for the wiring table. */
  description: string;
  /**
   * Inputs: which pull keeps the idle level. `external` means a resistor on the node's board,
   * needed on pins without internal pulls (ESP32 GPIO34–39).
   */
  pull?: "up" | "down" | "external";
  /** Relays and other outputs: the level that energizes the load. De-energized is the safe state. */
  activeLevel?: "high" | "low";
}

export interface BomLine {
  quantity: number;
  part: string;
  purpose: string;
}

/**
 * One kind of node: the signals it wires, the coefficients its sensors need, and its bill of
 * materials. Pins are the board's business (hardware/boards/); everything else is the kind's.
 */
export interface NodeKindDefinition {
  id: NodeKind;
  name: string;
  signals: Readonly<Record<string, SignalDefinition>>;
  /** Per sensor, named with their units (`betaK`, `seriesOhm`, `ampsPerVolt`). */
  coefficients: Readonly<Record<string, Readonly<Record<string, number>>>>;
  bom: readonly BomLine[];
  /** Wiring notes printed under the kind's table. */
  notes: readonly string[];
}
