import type { BoardSensors } from "./board";

/*
 * The analog front ends both boards share (the same sensor daughterboard).
 *
 * ADC: ESP32 and ESP32-S3 ADC1 at 11 dB attenuation read up to about 3100 mV (ESP-IDF ADC guide);
 * 4095 counts ≈ 3100 mV, so 1.321 counts per mV.
 *
 * NTC: 10 kΩ at 25 °C, B25/85 = 3950 K (a common 10 kΩ bead thermistor), from the ADC node to
 * ground, 10 kΩ from the node to 3.3 V: 1650 mV (≈2180 counts) at 25 °C.
 *
 * CT clamp: a 30 A : 1 V clamp (SCT-013-030 class) on a mid-rail bias of 2048 counts. 1 V RMS is
 * 1321 counts RMS, so 30 A / 1321 = 0.0227 A per count; 30 A RMS peaks at ±1868 counts, inside
 * the ADC range.
 *
 * Residual current: a zero-sequence transformer around live and neutral with its amplifier
 * scaled to 1 V RMS at 1000 mA residual (the top of GB 14287.2's range): 1000 / 1321 = 0.757 mA
 * per count, so the 20 mA minimum setting is 26 counts RMS, clear of a few counts of noise.
 */
export const sensorDaughterboard: BoardSensors = {
  adcFullScaleMv: 3100,
  ntc: { seriesOhm: 10_000, supplyMv: 3300, model: "beta", r25Ohm: 10_000, beta: 3950 },
  ct: { unitsPerCount: 30 / 1321, biasCounts: 2048, biasToleranceCounts: 300 },
  leakage: { unitsPerCount: 1000 / 1321, biasCounts: 2048, biasToleranceCounts: 300 },
  tmp117Address: 0x48,
};
