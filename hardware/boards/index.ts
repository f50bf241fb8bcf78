export type { BoardDefinition } from "./board";
export { esp32DevkitC } from "./esp32-devkitc";
export { esp32S3DevkitC1 } from "./esp32-s3-devkitc-1";
