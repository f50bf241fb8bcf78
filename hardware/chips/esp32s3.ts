import { gpioRange, type ChipDefinition } from "./chip";

/**
 * ESP32-S3. ESP32-S3 Series Datasheet v1.x: §2.3 pin overview (GPIO22–25 do not exist; GPIO26–32
 * connect the SPI flash and quad PSRAM; with octal flash or octal PSRAM, GPIO33–37 carry
 * SPIIO4–7 and SPIDQS), §2.6 strapping pins (GPIO0, 3, 45, 46), §2.3.4 analog functions
 * (ADC1_CH0–9 on GPIO1–10, ADC2_CH0–9 on GPIO11–20). Every GPIO can drive an output and has
 * internal pulls.
 */
export const esp32s3Chip: ChipDefinition = {
  id: "esp32s3",
  name: "ESP32-S3",
  gpios: [...gpioRange(0, 21), ...gpioRange(26, 48)],
  inputOnly: [],
  flash: gpioRange(26, 32),
  octalSpi: gpioRange(33, 37),
  strapping: {
    0: "boot mode: low at reset enters the serial bootloader",
    3: "JTAG signal source at reset",
    45: "flash voltage (VDD_SPI) at reset",
    46: "boot mode and ROM log: must not be high together with GPIO0 low",
  },
  adc: Object.fromEntries([
    ...gpioRange(1, 10).map((gpio) => [gpio, { unit: 1 as const, channel: gpio - 1 }]),
    ...gpioRange(11, 20).map((gpio) => [gpio, { unit: 2 as const, channel: gpio - 11 }]),
  ]),
  source: "ESP32-S3 Series Datasheet §2.3, §2.6",
};
