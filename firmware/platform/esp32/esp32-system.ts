/// <reference path="./reset-reason.d.ts" />
import Instrumentation from "instrumentation";
// Moddable SDK `net` module (RSSI), not Node's.
import Net from "net";
import getResetReason from "resetReason";
import type { SystemInfo } from "../../ports/system";

/** The SDK's resetReason strings (ESP-IDF `esp_reset_reason_t`), in the project's words. */
const RESET_REASONS: Record<string, string> = {
  "Power-On": "power-on",
  "External Pin": "external-pin",
  Software: "software",
  Panic: "panic",
  "Interrupt WDT": "interrupt-wdt",
  "Task WDT": "task-wdt",
  "Other WDT": "other-wdt",
  "Deep Sleep": "deep-sleep",
  Brownout: "brownout",
  SDIO: "sdio",
};

/**
 * The ESP32 as the heartbeat sees it: free heap from `instrumentation` ("System Free Memory",
 * ESP-IDF `heap_caps_get_free_size(MALLOC_CAP_8BIT)`), RSSI from `net`, the reset reason read
 * once at boot from the SDK's `resetReason` module, and `System.restart()` (`esp_restart`).
 */
export class Esp32System implements SystemInfo {
  #freeMemory = Instrumentation.map("System Free Memory");
  #resetReason = RESET_REASONS[getResetReason().string] ?? "unknown";

  freeHeapBytes(): number | undefined {
    return this.#freeMemory === undefined ? undefined : Instrumentation.get(this.#freeMemory);
  }

  rssiDbm(): number | undefined {
    try {
      const rssi = Net.get("RSSI");
      return typeof rssi === "number" && rssi < 0 ? rssi : undefined;
    } catch {
      return undefined;
    }
  }

  resetReason(): string {
    return this.#resetReason;
  }

  restart(): void {
    System.restart();
  }
}
