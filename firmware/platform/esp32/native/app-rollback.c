/*
 * ESP-IDF app rollback for the OTA agent, bound to JavaScript through XS FFI (manifest.json,
 * "ffi"): mcconfig generates the glue and the `mc/ffi` module whose methods call these.
 *
 * Needs CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y (firmware/platform/esp32/sdkconfig), so the
 * bootloader starts a freshly switched image as ESP_OTA_IMG_PENDING_VERIFY and, if the node
 * resets before esp_ota_mark_app_valid_cancel_rollback() is called, marks it aborted and starts
 * the previous image. The partition table needs ota_0, ota_1 and otadata, which manifest.json's
 * "defines": { "ota": { "autosplit": 1 } } makes mcconfig carve out of the factory partition.
 *
 * ESP-IDF API: components/app_update/include/esp_ota_ops.h.
 */
#include <stdint.h>
#include "app_update/include/esp_ota_ops.h"

int32_t sw_ota_running_state(void)
{
	esp_ota_img_states_t state;
	const esp_partition_t *running = esp_ota_get_running_partition();
	if (!running || (ESP_OK != esp_ota_get_state_partition(running, &state)))
		return 0;		/* the factory partition has no state (ESP_ERR_NOT_SUPPORTED) */
	switch (state) {
		case ESP_OTA_IMG_VALID: return 1;
		case ESP_OTA_IMG_PENDING_VERIFY: return 2;
		case ESP_OTA_IMG_UNDEFINED: return 3;
		default: return 0;
	}
}

int32_t sw_ota_mark_valid(void)
{
	return (int32_t)esp_ota_mark_app_valid_cancel_rollback();
}

int32_t sw_ota_rollback(void)
{
	/* Marks the running image invalid, selects the last valid one and reboots; returns only on failure
	   (ESP_ERR_OTA_ROLLBACK_FAILED when there is no valid image to go back to). */
	return (int32_t)esp_ota_mark_app_invalid_rollback_and_reboot();
}
