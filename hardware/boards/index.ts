import type { BoardDefinition } from "./board";
import { esp32DevkitC } from "./esp32-devkitc";
import { esp32S3DevkitC1 } from "./esp32-s3-devkitc-1";

export type { BoardDefinition } from "./board";
export { esp32DevkitC } from "./esp32-devkitc";
export { esp32S3DevkitC1 } from "./esp32-s3-devkitc-1";

/** Every supported board, by id. */
export const BOARDS: Readonly<Record<string, BoardDefinition>> = {
  [esp32DevkitC.id]: esp32DevkitC,
  [esp32S3DevkitC1.id]: esp32S3DevkitC1,
};
