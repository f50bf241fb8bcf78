import type { TimerHandle, Timers } from "../ports/clock";
import type { Log } from "../ports/log";
import type { KeyValueStore } from "../ports/storage";
import type { WifiStation } from "../ports/wifi";
import { ImprovState, type WifiSettings } from "./improv-protocol";
import { loadWifiSettings, saveWifiSettings } from "./wifi-credentials";
import { WifiSetup, type DeviceInfo } from "./wifi-setup";

export interface SetupSessionOptions {
  storage: KeyValueStore;
  station: WifiStation;
  timers: Timers;
  log: Log;
  info: DeviceInfo;
  nextUrl?: string;
  joinTimeoutMs?: number;
  /**
   * How long setup waits for an installer when the node already has settings (entered by holding
   * the button at boot): then it goes back to them, so a press by mistake never strands a node.
   */
  windowMs?: number;
  /** The settings to run with: the new ones once they worked, or the old ones when setup lapsed. */
  onDone: (settings: WifiSettings) => void;
}

const WINDOW_MS = 10 * 60_000;

/** Setup runs when the node has no Wi-Fi settings, or when its button is held as it boots. */
export function needsSetup(storage: KeyValueStore, buttonHeldAtBoot: boolean): boolean {
  return buttonHeldAtBoot || loadWifiSettings(storage) === null;
}

/**
 * One setup session: the Improv state machine, settings stored once a network is joined, and a
 * way back to the old settings. A node without any stays in setup until an installer comes; the
 * factory-reset hold (5 s, any time after boot) still forgets its identity.
 */
export function startSetupSession(options: SetupSessionOptions): WifiSetup {
  const previous = loadWifiSettings(options.storage);
  let lapse: TimerHandle | undefined;
  const setup = new WifiSetup({
    station: options.station,
    timers: options.timers,
    log: options.log,
    info: options.info,
    nextUrl: options.nextUrl,
    joinTimeoutMs: options.joinTimeoutMs,
    onProvisioned: (settings) => {
      options.timers.clear(lapse);
      saveWifiSettings(options.storage, settings);
      options.onDone(settings);
    },
  });
  const windowMs = options.windowMs ?? WINDOW_MS;
  const giveUp = () => {
    // An attempt running at the deadline gets its own end first.
    if (setup.state === ImprovState.provisioning) {
      lapse = options.timers.set(giveUp, 5000);
      return;
    }
    options.log("info", "setup: no installer came; going on with the Wi-Fi settings already stored");
    setup.close();
    options.onDone(previous!);
  };
  if (previous) lapse = options.timers.set(giveUp, windowMs);
  return setup;
}
