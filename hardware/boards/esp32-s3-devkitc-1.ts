import type { BoardDefinition } from "./board";

/**
 * ESP32-S3-DevKitC-1. GPIO4: ADC1_CH3. On the S3, ADC1 covers GPIO1–10, and GPIO34 does not
 * exist as an ADC input, so the pins differ from the ESP32 board and the manifest has an
 * `esp32/esp32s3` section of its own.
 */
export const esp32S3DevkitC1: BoardDefinition = {
  id: "esp32-s3-devkitc-1",
  name: "ESP32-S3-DevKitC-1",
  chip: "esp32s3",
  platform: "esp32/esp32s3",
  adcResolutionBits: 12,
  pins: { smoke: 4 },
};
