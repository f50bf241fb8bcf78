/**
 * The glue mcconfig generates from manifest.json's "ffi" section (XS FFI): one method per C
 * function in firmware/platform/esp32/native/app-rollback.c. mcconfig writes its own
 * mc.ffi.d.ts for the device build; this one lets `npm run typecheck` see the same surface.
 */
declare module "mc/ffi" {
  export default class FFI {
    /** 1 valid, 2 pending verify, 3 undefined (no rollback record), 0 not an OTA slot or unreadable. */
    sw_ota_running_state(): number;
    /** esp_ota_mark_app_valid_cancel_rollback; 0 (ESP_OK) or an esp_err_t. */
    sw_ota_mark_valid(): number;
    /** esp_ota_mark_app_invalid_rollback_and_reboot; returns only when it failed, with the esp_err_t. */
    sw_ota_rollback(): number;
  }
}
