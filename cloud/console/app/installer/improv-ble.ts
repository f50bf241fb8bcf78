import { ImprovBluetoothLE } from "improv-wifi-sdk/dist/ble.js";

/** The Improv GATT service every node in setup advertises (improv-wifi.com, BLE). */
export const IMPROV_SERVICE = "00467768-6228-2272-4663-277478268000";
/** The node's own RPC: why the last Wi-Fi settings did not take (firmware/setup/improv-protocol.ts). */
const SETUP_STATUS = 0xf0;

/** Why a node did not join, as firmware/setup/wifi-setup.ts names it; "unknown" when it could not say. */
export type JoinFailure = "wrong-password" | "no-network" | "timeout" | "busy" | "bad-ssid" | "bad-password" | "unknown";

interface Bluetooth {
  requestDevice(options: { filters: Array<{ services?: string[]; namePrefix?: string; name?: string }>; optionalServices?: string[] }): Promise<unknown>;
}

/** Whether this browser has Web Bluetooth (desktop and Android Chrome; not iOS Safari nor WeChat). */
export function hasWebBluetooth(): boolean {
  return typeof navigator !== "undefined" && "bluetooth" in navigator;
}

const quiet = { log: () => {}, debug: () => {}, error: () => {} };

/**
 * A node in Wi-Fi setup, reached over Web Bluetooth with the Improv SDK's own client (npm
 * `improv-wifi-sdk`), so the console speaks exactly what other Improv tools speak.
 */
export class NodeOverBluetooth {
  private constructor(private readonly client: ImprovBluetoothLE) {}

  /** Asks the browser for the node (the person picks it in the browser's list, filtered by its name). */
  static async connect(name: string | null): Promise<NodeOverBluetooth> {
    const bluetooth = (navigator as Navigator & { bluetooth: Bluetooth }).bluetooth;
    const device = await bluetooth.requestDevice({ filters: [name ? { services: [IMPROV_SERVICE], name } : { services: [IMPROV_SERVICE], namePrefix: "SW-" }] });
    const client = new ImprovBluetoothLE(device as never, quiet);
    await client.initialize();
    return new NodeOverBluetooth(client);
  }

  get name(): string {
    return this.client.name ?? "";
  }

  /** Sends the network's name and password; resolves once the node joined, or with why it did not. */
  async provision(ssid: string, password: string): Promise<{ ok: true } | { ok: false; reason: JoinFailure }> {
    const url = await this.client.provision(ssid, password);
    if (this.client.currentState === 4 || url !== undefined) return { ok: true };
    try {
      const answer = await this.client.sendRPCWithResponse(SETUP_STATUS as never, new Uint8Array());
      const reason = answer.values[0] as JoinFailure | undefined;
      return { ok: false, reason: reason || "unknown" };
    } catch {
      return { ok: false, reason: "unknown" };
    }
  }

  close(): void {
    this.client.close();
  }
}
