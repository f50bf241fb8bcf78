import { COMMON_BOM, COMMON_NOTES, COMMON_SIGNALS } from "./common";
import type { NodeKindDefinition } from "./kind";

/** Smoke, heat and electrical monitoring for shops, old compounds and e-bike charging sheds. */
export const sensorNode: NodeKindDefinition = {
  id: "sensor",
  name: "Sensor node (smoke, heat, electrical)",
  signals: {
    ...COMMON_SIGNALS,
    smoke: { use: "analog-in", description: "photoelectric smoke chamber amplifier output, 0–2.4 V" },
    smokeAlarm: { use: "digital-in", pull: "up", description: "the smoke IC's open-drain alarm output (optional), low while it alarms" },
    heat: { use: "analog-in", description: "NTC thermistor to GND, 22 kΩ series resistor to 3V3 (divider midpoint)" },
    current: { use: "analog-in", description: "CT clamp output on a 1.2 V bias (true RMS of 50 Hz mains)" },
    leakage: { use: "analog-in", description: "residual-current transformer output on a 1.2 V bias (true RMS of 50 Hz mains)" },
    i2cSda: { use: "i2c-sda", description: "I2C data to the TMP117 temperature sensors (ambient 0x48, cable probe 0x49); 4.7 kΩ pull-up to 3V3" },
    i2cScl: { use: "i2c-scl", description: "I2C clock; 4.7 kΩ pull-up to 3V3" },
  },
  // The ADC reads 0–2.45 V (the board's adcFullScaleMv). The NTC's 22 kΩ keeps its divider under
  // that from −12 °C up; biasing the AC inputs at 1.2 V, mid-range, leaves ±1.2 V for the waveform:
  // the clamp reads up to about 26 A RMS before its peaks clip (an overload beyond still reads as a
  // lower bound), the residual-current channel its full 1000 mA at 0.8 V RMS.
  coefficients: {
    heat: { betaK: 3950, r25Ohm: 10_000, seriesOhm: 22_000, supplyV: 3.3 },
    // How far the measured DC level may sit from the bias before the channel counts as faulty.
    current: { ampsPerVolt: 30, biasV: 1.2, biasToleranceV: 0.2 },
    leakage: { milliampsPerVolt: 1250, biasV: 1.2, biasToleranceV: 0.2 },
    // TI TMP117 with ADD0 to GND (datasheet, "Serial Bus Address").
    tmp117: { address: 0x48 },
    // The circuit's cable-temperature probe (GB 14287.3): a second TMP117, ADD0 to V+.
    cableProbe: { address: 0x49 },
  },
  bom: [
    ...COMMON_BOM,
    { quantity: 1, part: "photoelectric smoke chamber with analog amplifier (0–2.4 V out)", purpose: "smoke" },
    { quantity: 1, part: "NTC thermistor 10 kΩ at 25 °C, B 3950 + 22 kΩ 0.1 % resistor", purpose: "heat (EN 54-5 rate of rise)" },
    { quantity: 1, part: "split-core CT clamp SCT-013-030 (30 A : 1 V) + bias divider to 1.2 V (21 kΩ over 12 kΩ from 3V3) + 10 µF", purpose: "load current" },
    { quantity: 1, part: "residual-current (zero-sequence) transformer with burden, 1000 mA : 0.8 V RMS + bias divider to 1.2 V (21 kΩ over 12 kΩ from 3V3) + 10 µF", purpose: "leakage (GB 14287.2)" },
    { quantity: 1, part: "TI TMP117 I2C temperature sensor (ADD0 to GND) + 2 × 4.7 kΩ", purpose: "digital temperature" },
    {
      quantity: 1,
      part: "TI TMP117 (ADD0 to V+, address 0x49) on a small probe board bonded with thermal epoxy to the circuit's outgoing terminal or cable, 4-wire shielded lead ≤ 1 m",
      purpose: "cable temperature (GB 14287.3, 55–140 °C setting; the TMP117 reads −55 to 150 °C)",
    },
    { quantity: 4, part: "100 nF ceramic capacitor", purpose: "ADC input filters" },
  ],
  notes: [
    ...COMMON_NOTES,
    "The CT clamp's burden is inside the SCT-013-030; bias its output, and the residual-current transformer's, at 1.2 V, the middle of the ADC range, so it sees both half-waves.",
    "The smoke IC's alarm output is open-drain: it only pulls the line low, and the input's pull-up holds it high otherwise.",
    "The cable probe's TMP117 shares the I2C bus with the ambient one; bond it where the circuit runs hottest (the breaker's outgoing terminal), insulated from the live conductor by the probe board, and keep its lead short: 400 kHz I2C tolerates a metre of shielded cable, not more.",
  ],
};
