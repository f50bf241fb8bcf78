import type { BoardDefinition } from "./board";

/**
 * ESP32-DevKitC V4 with an ESP32-WROOM-32E module (4 MB quad flash, no PSRAM).
 * Header positions from the ESP32-DevKitC V4 user guide (J2 left, J3 right, pin 1 at the
 * antenna end). Analog inputs are all on ADC1 (GPIO32–39) because ADC2 belongs to Wi-Fi while
 * it runs; outputs and relays avoid the strapping pins (0, 2, 5, 12, 15) and the input-only
 * pins (34–39). GPIO0 is the board's BOOT button: read after boot, it is the factory-reset button.
 */
export const esp32DevkitC: BoardDefinition = {
  id: "esp32-devkitc",
  name: "ESP32-DevKitC V4 (ESP32-WROOM-32E)",
  chip: "esp32",
  platform: "esp32",
  module: { name: "ESP32-WROOM-32E", flash: "quad", psram: "none" },
  adcResolutionBits: 12,
  header: {
    36: "J2-3", 39: "J2-4", 34: "J2-5", 35: "J2-6", 32: "J2-7", 33: "J2-8", 25: "J2-9", 26: "J2-10",
    27: "J2-11", 14: "J2-12", 12: "J2-13", 13: "J2-15", 9: "J2-16", 10: "J2-17", 11: "J2-18",
    23: "J3-2", 22: "J3-3", 1: "J3-4", 3: "J3-5", 21: "J3-6", 19: "J3-8", 18: "J3-9", 5: "J3-10",
    17: "J3-11", 16: "J3-12", 4: "J3-13", 0: "J3-14", 2: "J3-15", 15: "J3-16", 8: "J3-17", 7: "J3-18", 6: "J3-19",
  },
  reserved: {
    1: "UART0 TX to the USB-serial bridge: flashing and the serial console",
    3: "UART0 RX from the USB-serial bridge: flashing and the serial console",
  },
  pins: {
    smoke: 34,
    heat: 35,
    current: 36,
    leakage: 39,
    cabinetTemp: 32,
    supplyVoltage: 33,
    factoryReset: 0,
    statusLed: 23,
    i2cSda: 21,
    i2cScl: 22,
    ebikeDetect: 4,
    cameraRx: 16,
    cameraTx: 17,
    lockRelay: 26,
    warningLight: 25,
    voiceTrigger: 19,
    maintenanceKey: 18,
    capsuleDoor: 13,
    aedDoor: 14,
    aedPresent: 27,
  },
};
