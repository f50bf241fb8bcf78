import type { BoardDefinition } from "./board";

/**
 * ESP32-DevKitC V4 with an ESP32-WROOM-32E module (4 MB quad flash, no PSRAM).
 * Header positions from the ESP32-DevKitC V4 user guide (J2 left, J3 right, pin 1 at the
 * antenna end). Analog inputs are all on ADC1 (GPIO32–39) because ADC2 belongs to Wi-Fi while
 * it runs; outputs and relays avoid the strapping pins (0, 2, 5, 12, 15) and the input-only
 * pins (34–39). GPIO0 is the board's BOOT button: read after boot, it is the factory-reset button.
 * The lock relay and the beacon sit on GPIO25/26, which are quiet through reset, so the
 * monostable driving them (hardware/elevator-node.md) sees no boot-time pulses. Every GPIO that
 * is neither a strapping pin nor taken is used, so the relay's sense contact goes on strapping
 * GPIO2: it reads low through reset (the relay is released then, and a 10 kΩ pull-down holds it),
 * which is the level GPIO2 wants, and GPIO2 only matters when GPIO0 is held for download mode.
 * The smoke IC's open-drain alarm line goes on strapping GPIO5 (pulled up at reset): it idles
 * released, so it leaves the strap alone.
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
    cabinetNtc: 32,
    supplyVoltage: 33,
    factoryReset: 0,
    statusLed: 23,
    i2cSda: 21,
    i2cScl: 22,
    ebikeDetect: 4,
    detectorAlive: 13,
    relayLock: 25,
    warningLight: 26,
    relaySense: 2,
    voiceTx: 17,
    maintenanceKey: 27,
    capsuleDoor: 18,
    aedCabinetDoor: 19,
    aedPresent: 14,
    displayTx: 16,
    smokeAlarm: 5,
  },
  // Moddable's ESP32 Analog reads calibrated at 12 dB attenuation and scales to 2450 mV
  // (modules/io/analog/esp32, kAttenuationTable).
  adcFullScaleMv: 2450,
  // 74HC123 with R_EXT 220 kΩ, C_EXT 4.7 µF: t_W = K·R·C ≈ 0.45–0.55 × 1.03 s ≈ 0.47–0.57 s
  // (NXP 74HC123 datasheet, K from 0.45 at 5 V to 0.55 at 2 V); the firmware assumes the short end.
  outputDrive: { relayLock: { drive: "pulse", holdMs: 450 }, warningLight: { drive: "pulse", holdMs: 450 } },
};
