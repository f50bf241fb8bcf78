import { COMMON_BOM, COMMON_NOTES, COMMON_SIGNALS } from "./common";
import type { NodeKindDefinition } from "./kind";

/** Elevator e-bike lock: holds the car when an e-bike rolls in, never traps a person. */
export const elevatorNode: NodeKindDefinition = {
  id: "elevator",
  name: "Elevator node (e-bike lock)",
  signals: {
    ...COMMON_SIGNALS,
    ebikeDetect: { use: "digital-in", pull: "down", description: "e-bike detector (camera module) digital output, high = e-bike seen" },
    cameraRx: { use: "uart-rx", description: "camera module UART TX (detection messages), 3.3 V levels" },
    cameraTx: { use: "uart-tx", description: "camera module UART RX" },
    lockRelay: {
      use: "relay",
      activeLevel: "high",
      description: "door-hold relay through an NPN driver; 10 kΩ base pull-down keeps it released through reset",
    },
    warningLight: { use: "relay", activeLevel: "high", description: "warning beacon through a logic-level MOSFET; 10 kΩ gate pull-down" },
    voiceTrigger: { use: "digital-out", activeLevel: "low", description: "voice prompt module trigger input (active low)" },
    maintenanceKey: { use: "button", pull: "up", description: "maintenance key switch to GND: closed overrides the lock" },
  },
  coefficients: {},
  bom: [
    ...COMMON_BOM,
    { quantity: 1, part: "AI camera e-bike detector with digital output and UART", purpose: "detection" },
    { quantity: 1, part: "relay 5 V coil, contacts rated for the elevator's door-hold input + 2N2222 + 1N4007 + 1 kΩ + 10 kΩ", purpose: "lock relay (fails released)" },
    { quantity: 1, part: "logic-level MOSFET IRLZ44N + 10 kΩ gate pull-down", purpose: "warning beacon" },
    { quantity: 1, part: "12 V warning beacon", purpose: "warning light" },
    { quantity: 1, part: "voice prompt module with trigger inputs (pre-recorded message)", purpose: "voice prompt" },
    { quantity: 1, part: "keyed SPST switch", purpose: "maintenance override" },
  ],
  notes: [
    ...COMMON_NOTES,
    "The lock relay must release when the node loses power, resets or hangs: its driver has a base pull-down, and the relay is energized only while the firmware drives the pin high.",
    "Relays never sit on strapping pins: a strapping pin's level at reset decides the boot mode, and a relay on one could pull in during boot.",
  ],
};
