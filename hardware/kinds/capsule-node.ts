import { COMMON_BOM, COMMON_NOTES, COMMON_SIGNALS } from "./common";
import type { NodeKindDefinition } from "./kind";

/**
 * Community emergency capsule: rescue supplies and an AED that must be there when needed.
 * Wiring detail and the AED's temperature range: hardware/capsule-node.md.
 */
export const capsuleNode: NodeKindDefinition = {
  id: "capsule",
  name: "Capsule node (emergency capsule and AED cabinet)",
  signals: {
    ...COMMON_SIGNALS,
    capsuleDoor: { use: "digital-in", pull: "up", description: "capsule door reed contact (MC-38) to GND, 10 kΩ pull-up, 100 nF: closed = door shut" },
    aedCabinetDoor: { use: "digital-in", pull: "up", description: "AED cabinet door reed contact (MC-38) to GND, 10 kΩ pull-up, 100 nF: closed = door shut" },
    aedPresent: {
      use: "digital-in",
      pull: "up",
      description: "lever microswitch (Omron D2F-01L) under the AED to GND, held closed by its weight, 10 kΩ pull-up: closed = AED in place",
    },
    cabinetNtc: { use: "analog-in", description: "NTC thermistor in the AED cabinet from the pin to GND, 33 kΩ 1 % from 3V3 (divider midpoint), 100 nF" },
    supplyVoltage: { use: "analog-in", description: "12 V backup battery through a 100 kΩ / 18 kΩ divider, 100 nF" },
    displayTx: { use: "uart-tx", description: "Nextion / TJC serial HMI RX (UART1, 9600 baud): the display line" },
  },
  // The firmware's defaults (firmware/capsule/config.ts) use the same values.
  coefficients: {
    cabinetNtc: { betaK: 3950, r25Ohm: 10_000, seriesOhm: 33_000 },
    supplyVoltage: { topOhm: 100_000, bottomOhm: 18_000 },
  },
  bom: [
    ...COMMON_BOM,
    { quantity: 2, part: "MC-38 surface reed door contact", purpose: "capsule and AED cabinet doors" },
    { quantity: 1, part: "Omron D2F-01L lever microswitch", purpose: "AED present" },
    { quantity: 1, part: "NTC thermistor 10 kΩ at 25 °C, B 3950 (epoxy bead) + 33 kΩ 1 % resistor", purpose: "cabinet temperature (AED operating range)" },
    { quantity: 1, part: "100 kΩ + 18 kΩ 1 % resistors", purpose: "battery voltage divider" },
    { quantity: 3, part: "10 kΩ resistor", purpose: "contact pull-ups" },
    { quantity: 5, part: "100 nF ceramic capacitor", purpose: "pin filters" },
    { quantity: 1, part: "Nextion NX4832T035 (or TJC equivalent) serial HMI", purpose: "display line" },
    { quantity: 1, part: "12 V 7 Ah sealed lead-acid battery + float charger", purpose: "backup supply" },
    { quantity: 1, part: "MP1584EN buck, 12 V → 5 V", purpose: "power to the board and the display" },
  ],
  notes: [
    ...COMMON_NOTES,
    "Contacts close to GND when things are as they should be, so a cut wire reads as an open door or a missing AED, never as a shut one.",
    "A thermistor open or shorted reads within 1 % of a rail and is reported as a sensor fault, never as a temperature.",
  ],
};
