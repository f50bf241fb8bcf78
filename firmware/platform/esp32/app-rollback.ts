import FFI from "mc/ffi";
import type { BootControl, BootState } from "../../ports/boot-control";

/** ESP-IDF app rollback through XS FFI (native/app-rollback.c). */
export class AppRollback implements BootControl {
  #native = new FFI();

  runningState(): BootState {
    const state = this.#native.sw_ota_running_state();
    return state === 2 ? "pending-verify" : state === 1 ? "valid" : "unknown";
  }

  markValid(): void {
    const error = this.#native.sw_ota_mark_valid();
    if (error !== 0) throw new Error(`esp_ota_mark_app_valid_cancel_rollback failed (esp_err_t ${error})`);
  }

  rollback(): void {
    const error = this.#native.sw_ota_rollback();
    throw new Error(`esp_ota_mark_app_invalid_rollback_and_reboot failed (esp_err_t ${error}): no valid image to return to`);
  }
}
