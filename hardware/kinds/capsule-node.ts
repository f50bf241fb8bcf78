import { COMMON_BOM, COMMON_NOTES, COMMON_SIGNALS } from "./common";
import type { NodeKindDefinition } from "./kind";

/** Community emergency capsule: rescue supplies and an AED that must be there when needed. */
export const capsuleNode: NodeKindDefinition = {
  id: "capsule",
  name: "Capsule node (emergency capsule and AED cabinet)",
  signals: {
    ...COMMON_SIGNALS,
    capsuleDoor: { use: "digital-in", pull: "up", description: "capsule door reed switch to GND, closed = door shut" },
    aedDoor: { use: "digital-in", pull: "up", description: "AED cabinet door reed switch to GND, closed = door shut" },
    aedPresent: { use: "digital-in", pull: "up", description: "AED-present microswitch to GND, closed = AED in its place" },
    cabinetTemp: { use: "analog-in", description: "NTC thermistor in the AED cabinet (divider midpoint)" },
    supplyVoltage: { use: "analog-in", description: "battery voltage through a 100 kΩ / 10 kΩ divider" },
    i2cSda: { use: "i2c-sda", description: "I2C data to the display; 4.7 kΩ pull-up to 3V3" },
    i2cScl: { use: "i2c-scl", description: "I2C clock to the display; 4.7 kΩ pull-up to 3V3" },
  },
  coefficients: {
    cabinetTemp: { betaK: 3950, r25Ohm: 10_000, seriesOhm: 10_000 },
    supplyVoltage: { dividerRatio: 11 },
  },
  bom: [
    ...COMMON_BOM,
    { quantity: 2, part: "magnetic reed switch (normally open with magnet present)", purpose: "capsule and AED cabinet doors" },
    { quantity: 1, part: "microswitch with lever", purpose: "AED present" },
    { quantity: 1, part: "NTC thermistor 10 kΩ at 25 °C, B 3950 + 10 kΩ 0.1 % resistor", purpose: "cabinet temperature (AED operating range)" },
    { quantity: 1, part: "100 kΩ + 10 kΩ 1 % resistors", purpose: "battery voltage divider" },
    { quantity: 1, part: "SSD1306 128 × 64 I2C OLED + 2 × 4.7 kΩ", purpose: "display line" },
    { quantity: 1, part: "12 V battery with charger", purpose: "backup supply" },
  ],
  notes: [...COMMON_NOTES, "Reed switches close to GND so a cut wire reads as an open door, never as a shut one."],
};
