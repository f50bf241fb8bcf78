import type { BoardDefinition } from "./board";

/**
 * ESP32-S3-DevKitC-1. GPIO4: ADC1_CH3. On the S3, ADC1 covers GPIO1–10, and GPIO34 does not
 * exist as an ADC input, so the pins differ from the ESP32 board and the manifest has an
 * `esp32/esp32s3` section of its own.
 *
 * Elevator and capsule pins avoid the strapping pins (0, 3, 45, 46), USB (19, 20), UART0
 * (43, 44), the octal-PSRAM pins of N8R8 modules (35–37) and the RGB LED (38/48).
 * GPIO1 and GPIO2 are ADC1_CH0 and ADC1_CH1.
 */
export const esp32S3DevkitC1: BoardDefinition = {
  id: "esp32-s3-devkitc-1",
  name: "ESP32-S3-DevKitC-1",
  chip: "esp32s3",
  platform: "esp32/esp32s3",
  adcResolutionBits: 12,
  pins: {
    smoke: 4,
    relayLock: 5,
    warningLight: 6,
    ebikeDetect: 7,
    detectorAlive: 15,
    maintenanceKey: 16,
    relaySense: 17,
    voiceTx: 18,
    capsuleDoor: 11,
    aedCabinetDoor: 12,
    aedPresent: 13,
    cabinetNtc: 1,
    supplyVoltage: 2,
    displayTx: 14,
  },
  adcFullScaleMv: 2450,
  // The same 74HC123 stage as on the ESP32 board (220 kΩ, 4.7 µF).
  outputDrive: { relayLock: { drive: "pulse", holdMs: 450 }, warningLight: { drive: "pulse", holdMs: 450 } },
};
