/**
 * The node's Wi-Fi station, narrowed to what setup needs. On the ESP32 it is Moddable's `wifi`
 * module; in the simulator a station whose networks a test declares.
 */
/** How one attempt to join a network ended. */
export type JoinOutcome = "connected" | "wrong-password" | "no-network" | "timeout";

export interface VisibleNetwork {
  ssid: string;
  rssiDbm: number;
  secured: boolean;
}

export interface WifiStation {
  /** Starts joining; `done` is called once. A station that never answers is timed out by the caller. */
  join(ssid: string, password: string, done: (outcome: Exclude<JoinOutcome, "timeout">) => void): void;
  /** Abandons an attempt in progress (after a timeout); its `done` is not called afterwards. */
  cancel(): void;
  /** Lists the networks in range, strongest first. */
  scan(done: (networks: VisibleNetwork[]) => void): void;
}
