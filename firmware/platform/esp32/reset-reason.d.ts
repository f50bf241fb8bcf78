/**
 * The ESP32 SDK's `resetReason` module ($(MODDABLE)/build/devices/esp32/modules/resetReason),
 * which has no typings: `esp_reset_reason()` as a number and the SDK's name for it.
 */
declare module "resetReason" {
  export default function getResetReason(): { reason: number; string: string };
}
