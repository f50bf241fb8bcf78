import { gpioRange, type ChipDefinition } from "./chip";

/**
 * ESP32 (ESP32-D0WD-V3 in the ESP32-WROOM-32E). ESP32 Series Datasheet v4.x:
 * §2.2 pin description (GPIO34–39 are input-only and have no pull-up or pull-down),
 * §2.4 strapping pins, §4.1.2 ADC channels; ESP32-WROOM-32E datasheet §3 (GPIO6–11 wired to the
 * module's SPI flash). GPIO20, 24 and 28–31 do not exist.
 */
export const esp32Chip: ChipDefinition = {
  id: "esp32",
  name: "ESP32",
  gpios: [...gpioRange(0, 19), 21, 22, 23, 25, 26, 27, ...gpioRange(32, 39)],
  inputOnly: gpioRange(34, 39),
  flash: gpioRange(6, 11),
  octalSpi: [],
  strapping: {
    0: "boot mode: low at reset enters the serial bootloader",
    2: "boot mode: must be low or floating at reset to enter the serial bootloader",
    5: "SDIO slave timing at reset",
    12: "flash voltage (MTDI): high at reset selects 1.8 V and a 3.3 V flash module fails to boot",
    15: "boot log on UART0 and SDIO timing (MTDO) at reset",
  },
  adc: {
    36: { unit: 1, channel: 0 },
    37: { unit: 1, channel: 1 },
    38: { unit: 1, channel: 2 },
    39: { unit: 1, channel: 3 },
    32: { unit: 1, channel: 4 },
    33: { unit: 1, channel: 5 },
    34: { unit: 1, channel: 6 },
    35: { unit: 1, channel: 7 },
    4: { unit: 2, channel: 0 },
    0: { unit: 2, channel: 1 },
    2: { unit: 2, channel: 2 },
    15: { unit: 2, channel: 3 },
    13: { unit: 2, channel: 4 },
    12: { unit: 2, channel: 5 },
    14: { unit: 2, channel: 6 },
    27: { unit: 2, channel: 7 },
    25: { unit: 2, channel: 8 },
    26: { unit: 2, channel: 9 },
  },
  source: "ESP32 Series Datasheet §2.2, §2.4, §4.1.2",
};
