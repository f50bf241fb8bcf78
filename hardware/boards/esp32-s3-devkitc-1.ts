import type { BoardDefinition } from "./board";
import { sensorDaughterboard } from "./sensors";

/**
 * ESP32-S3-DevKitC-1. On the S3, ADC1 covers GPIO1–10 and GPIO34 is no ADC input, so the pins
 * differ from the ESP32 board and the manifest has an `esp32/esp32s3` section of its own:
 * GPIO4 ADC1_CH3 smoke chamber, GPIO5 ADC1_CH4 NTC, GPIO6 ADC1_CH5 CT clamp, GPIO7 ADC1_CH6
 * residual current, GPIO15 the smoke IC's alarm output, GPIO8/9 I2C SDA/SCL.
 */
export const esp32S3DevkitC1: BoardDefinition = {
  id: "esp32-s3-devkitc-1",
  name: "ESP32-S3-DevKitC-1",
  chip: "esp32s3",
  platform: "esp32/esp32s3",
  adcResolutionBits: 12,
  pins: { smoke: 4, ntc: 5, ct: 6, leakage: 7, smokeAlarm: 15, i2cData: 8, i2cClock: 9 },
  sensors: sensorDaughterboard,
};
