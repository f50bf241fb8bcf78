/**
 * The inactive OTA app partition, which a new image is written into while the node keeps
 * running from the other one. On the ESP32 it is Moddable's `embedded:update` over the
 * `nextota` partition of `embedded:storage/flash`; in the simulator a partition the host keeps,
 * so it outlives the XS machine as flash outlives a reset.
 */
export interface FirmwareSlot {
  /** Bytes the partition can hold. */
  readonly capacityBytes: number;
  /**
   * Starts a new image of `byteLength` bytes and erases room for it (esp_ota_begin), dropping any
   * image half-written before. Erasing is why a download cannot resume across a reboot.
   */
  begin(byteLength: number): void;
  /** Writes `length` bytes of `bytes` at `offset` within the image (esp_ota_write_with_offset). */
  write(bytes: Uint8Array, offset: number, length: number): void;
  /** Reads back what the partition holds, so the hash is taken over what flash kept, not what arrived. */
  read(into: Uint8Array, offset: number, length: number): void;
  /**
   * Closes the image and makes it the one the bootloader starts next (esp_ota_end, which checks
   * the app image format, then esp_ota_set_boot_partition). Throws if the image is not bootable.
   * Call only after the SHA-256 and the signature have been checked.
   */
  activate(): void;
  /** Drops the image being written (esp_ota_abort); the running image is untouched. */
  abort(): void;
}
