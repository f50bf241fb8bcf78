import Preference from "preference";
import type { SystemInfo } from "../../ports/system";
import { tellHost } from "./host-screen";

const DOMAIN = "host";
const RESET_KEY = "reset";

/**
 * What the ESP32 learns from ESP-IDF, as a host port a test drives. The reset reason is the one
 * the host left in the node's preferences (`host`/`reset`, read and cleared at boot; a
 * `restart()` leaves `software`), `power-on` when none. A restart asks the loader to end the
 * process; whoever runs the node starts it again, as the chip's reset would. Free heap and RSSI
 * mean nothing on a computer and are not reported.
 */
export class HostSystem implements SystemInfo {
  #resetReason: string;

  constructor() {
    const left = Preference.get(DOMAIN, RESET_KEY);
    this.#resetReason = typeof left === "string" && left.length > 0 ? left : "power-on";
    if (left !== undefined) Preference.delete(DOMAIN, RESET_KEY);
  }

  freeHeapBytes(): number | undefined {
    return undefined;
  }

  rssiDbm(): number | undefined {
    return undefined;
  }

  resetReason(): string {
    return this.#resetReason;
  }

  restart(): void {
    Preference.set(DOMAIN, RESET_KEY, "software");
    tellHost({ event: "restart" });
  }
}
