import type { BoardDefinition } from "./board";

/**
 * ESP32-DevKitC V4 with an ESP32-WROOM-32E module.
 * GPIO34: ADC1_CH6, input-only, no pull resistors — right for an analog sensor output.
 * ADC1 is used because ADC2 is unavailable while Wi-Fi runs (ESP32 TRM, "SAR ADC").
 *
 * Elevator and capsule pins (hardware/elevator-node.md, hardware/capsule-node.md) avoid the
 * strapping pins (0, 2, 5, 12, 15) and the flash pins (6–11): the lock relay's drive must not
 * see boot-time pulses. GPIO25/26 are quiet at reset; 34–39 are input-only, without pulls, so
 * their contacts get external resistors; 36 and 39 are ADC1_CH0 and ADC1_CH3.
 */
export const esp32DevkitC: BoardDefinition = {
  id: "esp32-devkitc",
  name: "ESP32-DevKitC V4 (ESP32-WROOM-32E)",
  chip: "esp32",
  platform: "esp32",
  adcResolutionBits: 12,
  pins: {
    smoke: 34,
    relayLock: 25,
    warningLight: 26,
    ebikeDetect: 32,
    detectorAlive: 33,
    maintenanceKey: 27,
    relaySense: 35,
    voiceTx: 17,
    capsuleDoor: 18,
    aedCabinetDoor: 19,
    aedPresent: 23,
    cabinetNtc: 36,
    supplyVoltage: 39,
    displayTx: 16,
  },
  adcFullScaleMv: 2450,
  // 74HC123 with R_EXT 220 kΩ, C_EXT 4.7 µF: t_W = K·R·C ≈ 0.45–0.55 × 1.03 s ≈ 0.47–0.57 s
  // (NXP 74HC123 datasheet, K from 0.45 at 5 V to 0.55 at 2 V); the firmware assumes the short end.
  outputDrive: { relayLock: { drive: "pulse", holdMs: 450 }, warningLight: { drive: "pulse", holdMs: 450 } },
};
