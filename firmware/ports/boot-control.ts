/**
 * What the bootloader knows about the running image, and the two things the firmware tells it.
 * A plain restart is the platform's (`SystemInfo.restart`).
 * ESP-IDF app rollback (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE): an image the bootloader starts
 * for the first time runs as "pending-verify"; if the node resets before the image marks
 * itself valid, the bootloader marks it aborted and starts the previous image again.
 * On the ESP32 this goes through XS FFI to esp_ota_ops (firmware/platform/esp32/native);
 * in the simulator the host plays the bootloader with the same rules.
 */
export type BootState = "valid" | "pending-verify" | "unknown";

export interface BootControl {
  /** esp_ota_get_state_partition on the running partition. */
  runningState(): BootState;
  /** esp_ota_mark_app_valid_cancel_rollback: this image stays. */
  markValid(): void;
  /** esp_ota_mark_app_invalid_rollback_and_reboot: back to the previous image. Does not return on the device. */
  rollback(): void;
}
