import Flash, { type Flash as FlashPartition } from "embedded:storage/flash";
import Update, { type Updater } from "embedded:update";
import type { FirmwareSlot } from "../../ports/firmware-slot";

/**
 * The inactive app slot on the ESP32: Moddable's `embedded:update` writes it (esp_ota_begin /
 * esp_ota_write_with_offset / esp_ota_end + esp_ota_set_boot_partition), and the `nextota`
 * partition of `embedded:storage/flash` reads it back for the hash check.
 */
export class UpdateSlot implements FirmwareSlot {
  readonly capacityBytes: number;
  #partition: FlashPartition | undefined;
  #update: Updater | undefined;

  constructor() {
    const partition = Flash.open({ path: "nextota", mode: "r" });
    this.capacityBytes = partition.status().size;
    partition.close();
  }

  begin(byteLength: number): void {
    this.abort();
    this.#partition = Flash.open({ path: "nextota", mode: "r+" });
    // Mode "w" with a length: erases that much now and takes writes at any offset.
    this.#update = Update.open({ partition: this.#partition, mode: "w", byteLength });
  }

  write(bytes: Uint8Array, offset: number, length: number): void {
    if (!this.#update) throw new Error("no update is open");
    this.#update.write(length === bytes.length ? bytes : bytes.subarray(0, length), offset);
  }

  read(into: Uint8Array, offset: number, length: number): void {
    if (!this.#partition) throw new Error("no update is open");
    this.#partition.read(length === into.length ? into : into.subarray(0, length), offset);
  }

  activate(): void {
    if (!this.#update) throw new Error("no update is open");
    const update = this.#update;
    this.#update = undefined;
    update.complete();
    this.#closePartition();
  }

  abort(): void {
    const update = this.#update;
    this.#update = undefined;
    update?.close(); // an update closed before complete() is aborted (esp_ota_abort)
    this.#closePartition();
  }

  #closePartition(): void {
    this.#partition?.close();
    this.#partition = undefined;
  }
}
