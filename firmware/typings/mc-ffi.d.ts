/**
 * The glue mcconfig generates from manifest.json's "ffi" section (XS FFI): one method per C
 * function in firmware/platform/esp32/native/app-rollback.c and native/adc-sampler.c. mcconfig writes its own
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
    /** Adds an ADC1 pin to the continuous sampler; its slot, or −1 (not ADC1) / −esp_err_t. */
    sw_adc_open(gpio: number): number;
    /** Removes a slot's channel from the sampler; 0 or an esp_err_t. */
    sw_adc_close(slot: number): number;
    /** Writes the slot's [conversions, sum, sum of squares, clipped] since its last take into four doubles; the conversions, or −1. */
    sw_adc_take(slot: number, sums: ArrayBuffer): number;
  }
}
