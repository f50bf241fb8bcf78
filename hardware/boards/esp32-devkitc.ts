import type { BoardDefinition } from "./board";
import { sensorDaughterboard } from "./sensors";

/**
 * ESP32-DevKitC V4 with an ESP32-WROOM-32E module. Analog inputs are on ADC1 (GPIO32–39),
 * because ADC2 is unavailable while Wi-Fi runs (ESP32 TRM, "SAR ADC"); GPIO34–39 are input-only
 * with no pull resistors, right for analog sensor outputs:
 * GPIO34 ADC1_CH6 smoke chamber, GPIO35 ADC1_CH7 NTC, GPIO36 ADC1_CH0 CT clamp, GPIO39 ADC1_CH3
 * residual current. GPIO27 (internal pull-up) reads the smoke IC's open-drain alarm output.
 * GPIO21/22 are the module's customary I2C SDA/SCL.
 */
export const esp32DevkitC: BoardDefinition = {
  id: "esp32-devkitc",
  name: "ESP32-DevKitC V4 (ESP32-WROOM-32E)",
  chip: "esp32",
  platform: "esp32",
  adcResolutionBits: 12,
  pins: { smoke: 34, ntc: 35, ct: 36, leakage: 39, smokeAlarm: 27, i2cData: 21, i2cClock: 22 },
  sensors: sensorDaughterboard,
};
