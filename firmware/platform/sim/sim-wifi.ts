import type { TimerHandle, Timers } from "../../ports/clock";
import type { JoinOutcome, VisibleNetwork, WifiStation } from "../../ports/wifi";

/** A network the simulated air holds. `silent` never answers a join, as one out of range mid-handshake. */
export interface SimNetwork {
  ssid: string;
  password: string;
  rssiDbm: number;
  silent?: boolean;
}

/** How long the simulated station takes to hear back, as a real ESP32 roughly does. */
const JOIN_MS = 1500;
const NOT_FOUND_MS = 3000;
const SCAN_MS = 2000;

/**
 * A Wi-Fi station over networks the host declares: it joins with the right password, refuses a
 * wrong one, finds nothing for an unknown name, and never answers for a silent network — the four
 * answers a node's setup must handle.
 */
export class SimWifiStation implements WifiStation {
  readonly networks: SimNetwork[] = [];
  /** The network joined last, for the host to check (the password is not kept). */
  joined: string | null = null;
  #timers: Timers;
  #pending: TimerHandle | undefined;

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  join(ssid: string, password: string, done: (outcome: Exclude<JoinOutcome, "timeout">) => void): void {
    this.cancel();
    const network = this.networks.find((n) => n.ssid === ssid);
    if (network?.silent) return;
    const outcome = !network ? "no-network" : network.password === password ? "connected" : "wrong-password";
    this.#pending = this.#timers.set(() => {
      this.#pending = undefined;
      if (outcome === "connected") this.joined = ssid;
      done(outcome);
    }, outcome === "no-network" ? NOT_FOUND_MS : JOIN_MS);
  }

  cancel(): void {
    this.#timers.clear(this.#pending);
    this.#pending = undefined;
  }

  scan(done: (networks: VisibleNetwork[]) => void): void {
    const found = this.networks
      .filter((n) => !n.silent)
      .map((n) => ({ ssid: n.ssid, rssiDbm: n.rssiDbm, secured: n.password.length > 0 }))
      .sort((a, b) => b.rssiDbm - a.rssiDbm);
    this.#timers.set(() => done(found), SCAN_MS);
  }
}
