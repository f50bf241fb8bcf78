import { COMMON_BOM, COMMON_NOTES, COMMON_SIGNALS } from "./common";
import type { NodeKindDefinition } from "./kind";

/** Smoke, heat and electrical monitoring for shops, old compounds and e-bike charging sheds. */
export const sensorNode: NodeKindDefinition = {
  id: "sensor",
  name: "Sensor node (smoke, heat, electrical)",
  signals: {
    ...COMMON_SIGNALS,
    smoke: { use: "analog-in", description: "photoelectric smoke chamber amplifier output, 0–3.1 V" },
    heat: { use: "analog-in", description: "NTC thermistor to GND, series resistor to 3V3 (divider midpoint)" },
    current: { use: "analog-in", description: "CT clamp output on a 1.65 V bias (true RMS of 50 Hz mains)" },
    leakage: { use: "analog-in", description: "residual-current transformer conditioner output, 0–3 V" },
    i2cSda: { use: "i2c-sda", description: "I2C data to a digital temperature sensor; 4.7 kΩ pull-up to 3V3" },
    i2cScl: { use: "i2c-scl", description: "I2C clock; 4.7 kΩ pull-up to 3V3" },
  },
  coefficients: {
    heat: { betaK: 3950, r25Ohm: 10_000, seriesOhm: 10_000 },
    current: { ampsPerVolt: 30, biasV: 1.65 },
    leakage: { milliampsPerVolt: 333 },
  },
  bom: [
    ...COMMON_BOM,
    { quantity: 1, part: "photoelectric smoke chamber with analog amplifier (0–3.1 V out)", purpose: "smoke" },
    { quantity: 1, part: "NTC thermistor 10 kΩ at 25 °C, B 3950 + 10 kΩ 0.1 % resistor", purpose: "heat (EN 54-5 rate of rise)" },
    { quantity: 1, part: "split-core CT clamp SCT-013-030 (30 A : 1 V) + 2 × 10 kΩ bias divider + 10 µF", purpose: "load current" },
    { quantity: 1, part: "residual-current transformer with conditioner, 0–1000 mA : 0–3 V", purpose: "leakage (GB 14287.2)" },
    { quantity: 1, part: "SHT31 or similar I2C temperature sensor + 2 × 4.7 kΩ", purpose: "digital temperature" },
    { quantity: 4, part: "100 nF ceramic capacitor", purpose: "ADC input filters" },
  ],
  notes: [...COMMON_NOTES, "The CT clamp's burden is inside the SCT-013-030; bias its output at mid-rail so the ADC sees both half-waves."],
};
