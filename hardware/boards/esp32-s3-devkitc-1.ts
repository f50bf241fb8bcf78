import type { BoardDefinition } from "./board";

/**
 * ESP32-S3-DevKitC-1 v1.1 with an ESP32-S3-WROOM-1-N8R8 (8 MB quad flash, 8 MB octal PSRAM).
 * Header positions from the ESP32-S3-DevKitC-1 user guide (J1 left, J3 right). The octal PSRAM
 * takes GPIO33–37 on top of the flash's GPIO26–32. ADC1 is GPIO1–10; on the S3, GPIO34 is no ADC
 * input, so the pins differ from the ESP32 board and the manifest has an `esp32/esp32s3` section
 * of its own. Elevator and capsule pins avoid the strapping pins (0, 3, 45, 46), USB (19, 20),
 * UART0 (43, 44) and the RGB LED (38/48).
 */
export const esp32S3DevkitC1: BoardDefinition = {
  id: "esp32-s3-devkitc-1",
  name: "ESP32-S3-DevKitC-1 (ESP32-S3-WROOM-1-N8R8)",
  chip: "esp32s3",
  platform: "esp32/esp32s3",
  module: { name: "ESP32-S3-WROOM-1-N8R8", flash: "quad", psram: "octal" },
  adcResolutionBits: 12,
  header: {
    4: "J1-4", 5: "J1-5", 6: "J1-6", 7: "J1-7", 15: "J1-8", 16: "J1-9", 17: "J1-10", 18: "J1-11",
    8: "J1-12", 3: "J1-13", 46: "J1-14", 9: "J1-15", 10: "J1-16", 11: "J1-17", 12: "J1-18", 13: "J1-19", 14: "J1-20",
    43: "J3-2", 44: "J3-3", 1: "J3-4", 2: "J3-5", 42: "J3-6", 41: "J3-7", 40: "J3-8", 39: "J3-9", 38: "J3-10",
    37: "J3-11", 36: "J3-12", 35: "J3-13", 0: "J3-14", 45: "J3-15", 48: "J3-16", 47: "J3-17", 21: "J3-18",
    20: "J3-19", 19: "J3-20",
  },
  reserved: {
    19: "USB D- of the board's native USB port",
    20: "USB D+ of the board's native USB port",
    38: "the on-board RGB LED (WS2812) of board v1.1",
    43: "UART0 TX to the USB-serial bridge: flashing and the serial console",
    44: "UART0 RX from the USB-serial bridge: flashing and the serial console",
    48: "the on-board RGB LED (WS2812) of board v1.0",
  },
  pins: {
    smoke: 4,
    heat: 5,
    current: 6,
    leakage: 7,
    cabinetNtc: 1,
    supplyVoltage: 2,
    factoryReset: 0,
    statusLed: 21,
    i2cSda: 17,
    i2cScl: 18,
    ebikeDetect: 14,
    detectorAlive: 15,
    relayLock: 39,
    warningLight: 40,
    relaySense: 16,
    voiceTx: 41,
    maintenanceKey: 42,
    capsuleDoor: 11,
    aedCabinetDoor: 12,
    aedPresent: 13,
    displayTx: 8,
    smokeAlarm: 9,
  },
  // The same calibrated 12 dB scale as on the ESP32 (Moddable modules/io/analog/esp32).
  adcFullScaleMv: 2450,
  // The same 74HC123 stage as on the ESP32 board (220 kΩ, 4.7 µF).
  outputDrive: { relayLock: { drive: "pulse", holdMs: 450 }, warningLight: { drive: "pulse", holdMs: 450 } },
};
