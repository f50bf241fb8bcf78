import { COMMON_BOM, COMMON_NOTES, COMMON_SIGNALS } from "./common";
import type { NodeKindDefinition } from "./kind";

/**
 * Elevator e-bike lock: holds the car when an e-bike rolls in, never traps a person. The safety
 * argument (a request contact, never the safety chain; a pulse-held relay that drops when the CPU
 * stops) is in hardware/elevator-node.md and firmware/README.md.
 */
export const elevatorNode: NodeKindDefinition = {
  id: "elevator",
  name: "Elevator node (e-bike lock)",
  signals: {
    ...COMMON_SIGNALS,
    ebikeDetect: {
      use: "digital-in",
      pull: "external",
      description: "e-bike detector's DETECT output through a PC817 optocoupler (emitter to the pin, 10 kΩ to GND): high while an e-bike is seen",
    },
    detectorAlive: {
      use: "digital-in",
      pull: "external",
      description: "detector's ALIVE heartbeat (1 Hz square wave) through a PC817, 10 kΩ to GND: no edge for 3 s means the detector is lost",
    },
    relayLock: {
      use: "relay",
      activeLevel: "high",
      description: "door-hold request: a pulse train into 74HC123 input 1B (10 kΩ pull-down), 1Q drives the relay coil's BC817; the relay drops within t_W ≈ 0.45 s once pulses stop",
    },
    warningLight: {
      use: "relay",
      activeLevel: "high",
      description: "warning beacon: pulse train into 74HC123 input 2B, 2Q drives an AO3400A low-side MOSFET; drops like the relay",
    },
    relaySense: {
      use: "digital-in",
      pull: "external",
      description: "lock relay's second pole (NO) from 3V3 through 1 kΩ, 10 kΩ to GND: high while the relay is pulled in",
    },
    voiceTx: { use: "uart-tx", description: "DFPlayer Mini RX through 1 kΩ (UART1, 9600 baud): the voice prompt" },
    maintenanceKey: {
      use: "button",
      pull: "up",
      description: "maintenance key switch, normally closed contact to GND, 10 kΩ pull-up: key turned (or a cut wire) overrides and releases the lock",
    },
  },
  coefficients: {},
  bom: [
    ...COMMON_BOM,
    { quantity: 1, part: "programmable camera module running the e-bike model (e.g. ESP32-S3-EYE) with DETECT and ALIVE outputs", purpose: "detection" },
    { quantity: 2, part: "PC817 optocoupler + 1 kΩ + 10 kΩ", purpose: "detector DETECT and ALIVE (no shared ground with the car's camera)" },
    { quantity: 1, part: "74HC123D (or 74HC423D) dual retriggerable monostable + 2 × 220 kΩ 1 % + 2 × 4.7 µF X7R + 10 kΩ / 1 µF reset RC", purpose: "pulse-held relay and beacon drive" },
    { quantity: 1, part: "Omron G5V-2-H1-DC5 DPDT relay (or G7SA-2A2B force-guided) + BC817 + 1N4148 + 1 kΩ", purpose: "lock request contact and its sense pole" },
    { quantity: 1, part: "AO3400A N-MOSFET + 24 V LED warning beacon", purpose: "warning light" },
    { quantity: 1, part: "DFRobot DFPlayer Mini + microSD + 3 W speaker", purpose: "voice prompt" },
    { quantity: 1, part: "key switch with a normally closed contact + 10 kΩ", purpose: "maintenance override" },
    { quantity: 1, part: "MP1584EN buck, 24 V → 5 V", purpose: "power from the car top" },
  ],
  notes: [
    ...COMMON_NOTES,
    "The relay contact is a request into the controller's hold-doors-open input, never part of the safety chain: the worst the node can do is keep a car standing at a landing with its doors open (hardware/elevator-node.md).",
    "The lock relay and the beacon are held by a pulse train through a retriggerable monostable: a hung CPU, a reset or a stuck pin stops the edges and the load drops within t_W (board `outputDrive`). The ESP-IDF task watchdog (firmware/platform/esp32/sdkconfig) is the second line.",
    "Relays never sit on strapping pins: a strapping pin's level at reset decides the boot mode, and a relay on one could pull in during boot.",
  ],
};
