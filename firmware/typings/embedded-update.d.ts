/**
 * What the firmware uses of Moddable's `embedded:update` and `embedded:storage/flash`, which
 * @moddable/typings 5.6.0 from npm does not declare. Written from the SDK 8.2 sources
 * (modules/io/update/esp32/update-esp32.c, modules/io/flash/esp32/flash-esp32.c); the SDK's
 * own typings, which mcconfig uses, declare the same surface.
 */
declare module "embedded:storage/flash" {
  type Bytes = ArrayBuffer | Uint8Array | DataView;

  export interface FlashStatus {
    size: number;
    blockLength: number;
    blocks: number;
    writeAlign: number;
    eraseValue: number;
  }

  export class Flash {
    close(): void;
    eraseBlock(start: number, end?: number): void;
    read(byteLength: number, byteOffset: number): ArrayBuffer;
    read(buffer: Bytes, byteOffset: number): number;
    write(buffer: Bytes, byteOffset: number): void;
    status(): FlashStatus;
  }

  const FlashStorage: {
    /** `path`: a partition name, or "running" / "nextota" for the OTA app slots. */
    open(options: { path: string; mode?: "r" | "r+" }): Flash;
  };
  export default FlashStorage;
}

declare module "embedded:update" {
  import type { Flash } from "embedded:storage/flash";
  type Bytes = ArrayBuffer | Uint8Array | DataView;

  export interface Updater {
    close(): void;
    /** esp_ota_end, then esp_ota_set_boot_partition. */
    complete(): void;
    write(bytes: Bytes): void;
    /** Mode "w" only: esp_ota_write_with_offset. */
    write(bytes: Bytes, byteOffset: number): void;
  }

  const Update: {
    /** esp_ota_begin on `partition`; mode "w" with `byteLength` erases that much and allows writes at any offset. */
    open(options: { partition: Flash; mode?: "a" | "w"; byteLength?: number }): Updater;
  };
  export default Update;
}
