import type { SystemInfo } from "../../ports/system";
import { callHost } from "./host-call";

interface HostSystemInfo {
  freeHeapBytes: number | null;
  rssiDbm: number | null;
  resetReason: string;
}

/**
 * The simulated machine, as the host keeps it: free heap from the XS meter's live slot count
 * against a simulated heap, an RSSI the test sets (none while its network is down), the reason
 * the host gave at boot. A restart is carried out by the host: it ends this XS machine and boots
 * a new one on the same flash.
 */
export class SimSystem implements SystemInfo {
  freeHeapBytes(): number | undefined {
    return this.#info().freeHeapBytes ?? undefined;
  }

  rssiDbm(): number | undefined {
    return this.#info().rssiDbm ?? undefined;
  }

  resetReason(): string {
    return this.#info().resetReason;
  }

  restart(): void {
    callHost({ op: "system.restart" });
  }

  #info(): HostSystemInfo {
    return callHost({ op: "system.info" }) as HostSystemInfo;
  }
}
