import type { BoardDefinition } from "./board";

/**
 * ESP32-DevKitC V4 with an ESP32-WROOM-32E module.
 * GPIO34: ADC1_CH6, input-only, no pull resistors — right for an analog sensor output.
 * ADC1 is used because ADC2 is unavailable while Wi-Fi runs (ESP32 TRM, "SAR ADC").
 */
export const esp32DevkitC: BoardDefinition = {
  id: "esp32-devkitc",
  name: "ESP32-DevKitC V4 (ESP32-WROOM-32E)",
  chip: "esp32",
  platform: "esp32",
  adcResolutionBits: 12,
  pins: { smoke: 34 },
};
