import type { ChipDefinition, ChipId } from "./chip";
import { esp32Chip } from "./esp32";
import { esp32s3Chip } from "./esp32s3";

export type { AdcChannel, ChipDefinition, ChipId } from "./chip";
export { esp32Chip } from "./esp32";
export { esp32s3Chip } from "./esp32s3";

export const CHIPS: Readonly<Record<ChipId, ChipDefinition>> = { esp32: esp32Chip, esp32s3: esp32s3Chip };
