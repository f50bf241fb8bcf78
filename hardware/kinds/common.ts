import type { BomLine, SignalDefinition } from "./kind";

/** Signals every node kind has. */
export const COMMON_SIGNALS: Readonly<Record<string, SignalDefinition>> = {
  factoryReset: {
    use: "button",
    pull: "up",
    description: "BOOT button on the board; held 5 s after start it wipes the node's identity (factory reset)",
  },
  statusLed: { use: "digital-out", activeLevel: "high", description: "status LED through 330 Ω to GND" },
};

export const COMMON_BOM: readonly BomLine[] = [
  { quantity: 1, part: "ESP32-DevKitC V4 (ESP32-WROOM-32E) or ESP32-S3-DevKitC-1 (N8R8)", purpose: "controller, Wi-Fi" },
  { quantity: 1, part: "LED 3 mm green + 330 Ω resistor", purpose: "status LED" },
  { quantity: 1, part: "5 V 1 A supply (e.g. HLK-PM01 on mains, or from the host equipment)", purpose: "power to the board's 5V pin" },
];

export const COMMON_NOTES: readonly string[] = [
  "Every analog input sits on ADC1: ADC2 is used by Wi-Fi while it runs (ESP-IDF, ADC oneshot driver, Hardware Limitations).",
  "Keep analog inputs below 2.45 V (Moddable reads the ADC calibrated at 12 dB attenuation, 0–2450 mV: the board's adcFullScaleMv); fit 100 nF from each analog input to GND close to the board.",
];
