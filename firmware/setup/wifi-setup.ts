import type { TimerHandle, Timers } from "../ports/clock";
import type { Log } from "../ports/log";
import type { JoinOutcome, WifiStation } from "../ports/wifi";
import { ImprovCommand, ImprovError, ImprovState, decodeWifiSettings, type WifiSettings } from "./improv-protocol";

/** Where a transport sends what the setup says: its own packets on serial, characteristics on Bluetooth. */
export interface ImprovReporter {
  state(state: number): void;
  error(error: number): void;
  result(command: number, values: readonly string[]): void;
}

/** Why the last Wi-Fi settings did not take, for the installer's screen ("" once they did). */
export type SetupStatus = "" | Exclude<JoinOutcome, "connected"> | "busy" | "bad-ssid" | "bad-password";

export interface DeviceInfo {
  firmware: string;
  version: string;
  /** ESP Web Tools' chip family names: "ESP32", "ESP32-S3". */
  chipFamily: string;
  /** What the installer sees in the browser's device list: the label's short name. */
  deviceName: string;
}

export interface WifiSetupOptions {
  station: WifiStation;
  timers: Timers;
  log: Log;
  info: DeviceInfo;
  /** Where the installer goes next (the console's installer screen for this node), sent on success. */
  nextUrl?: string;
  /** How long a join may take before the setup gives up on it. */
  joinTimeoutMs?: number;
  /** Called once the settings work: store them and go on to the claim. */
  onProvisioned: (settings: WifiSettings) => void;
}

const JOIN_TIMEOUT_MS = 30_000;

/**
 * Improv Wi-Fi setup, the same for every transport: it takes a network's name and password, tries
 * them, and reports success with the next URL or why they failed. One attempt at a time; a second
 * set of settings during an attempt is answered "busy" and the first goes on. The password never
 * leaves this object except to the station and `onProvisioned`: it is not logged.
 */
export class WifiSetup {
  #options: WifiSetupOptions;
  #reporters: ImprovReporter[] = [];
  #state: number = ImprovState.ready;
  #status: SetupStatus = "";
  #asker: ImprovReporter | null = null;
  #timer: TimerHandle | undefined;
  #attempt = 0;
  #busyFor: ImprovReporter | null = null;

  constructor(options: WifiSetupOptions) {
    this.#options = options;
  }

  get state(): number {
    return this.#state;
  }

  get status(): SetupStatus {
    return this.#status;
  }

  /** A transport that hears state changes (every attached transport hears them). */
  attach(reporter: ImprovReporter): void {
    this.#reporters.push(reporter);
    reporter.state(this.#state);
  }

  /** Serial's "request current state": the state, and the next URL once provisioned. */
  reportState(reply: ImprovReporter): void {
    reply.state(this.#state);
    if (this.#state === ImprovState.provisioned) reply.result(ImprovCommand.requestState, this.#urls());
  }

  /** One RPC command from `reply`'s transport. */
  handle(command: number, data: Uint8Array, reply: ImprovReporter): void {
    switch (command) {
      case ImprovCommand.wifiSettings:
        return this.#takeSettings(data, reply);
      case ImprovCommand.deviceInfo: {
        const { firmware, version, chipFamily, deviceName } = this.#options.info;
        return reply.result(command, [firmware, version, chipFamily, deviceName]);
      }
      case ImprovCommand.scanNetworks:
        return this.#options.station.scan((networks) => {
          for (const network of networks) reply.result(command, [network.ssid, String(network.rssiDbm), network.secured ? "YES" : "NO"]);
          reply.result(command, []);
        });
      case ImprovCommand.deviceName:
        if (data.length > 0) return reply.error(ImprovError.unknownRpc);
        return reply.result(command, [this.#options.info.deviceName]);
      case ImprovCommand.setupStatus:
        return reply.result(command, [reply === this.#busyFor && this.#state === ImprovState.provisioning ? "busy" : this.#status]);
      default:
        return reply.error(ImprovError.unknownRpc);
    }
  }

  close(): void {
    this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
    if (this.#state === ImprovState.provisioning) this.#options.station.cancel();
    this.#reporters.length = 0;
  }

  #takeSettings(data: Uint8Array, reply: ImprovReporter): void {
    if (this.#state === ImprovState.provisioning) {
      // Improv has no "busy": the error with the state still "provisioning" says it, and the
      // status command answers "busy" to this transport until the running attempt ends.
      this.#options.log("warn", "setup: Wi-Fi settings arrived while an attempt is running; answered busy");
      this.#busyFor = reply;
      return reply.error(ImprovError.unknown);
    }
    const settings = decodeWifiSettings(data);
    if (!settings) return reply.error(ImprovError.invalidRpc);
    const problem = settingsProblem(settings);
    if (problem) {
      this.#status = problem;
      return reply.error(ImprovError.invalidRpc);
    }
    this.#asker = reply;
    this.#status = "";
    this.#setState(ImprovState.provisioning);
    const attempt = ++this.#attempt;
    this.#options.log("info", "setup: trying the Wi-Fi network the installer sent");
    this.#timer = this.#options.timers.set(() => {
      this.#timer = undefined;
      this.#options.station.cancel();
      this.#finish(attempt, "timeout", settings);
    }, this.#options.joinTimeoutMs ?? JOIN_TIMEOUT_MS);
    this.#options.station.join(settings.ssid, settings.password, (outcome) => this.#finish(attempt, outcome, settings));
  }

  #finish(attempt: number, outcome: JoinOutcome, settings: WifiSettings): void {
    if (attempt !== this.#attempt || this.#state !== ImprovState.provisioning) return;
    this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
    const asker = this.#asker!;
    this.#asker = null;
    this.#busyFor = null;
    if (outcome !== "connected") {
      this.#status = outcome;
      this.#options.log("warn", `setup: the Wi-Fi network was not joined (${outcome})`);
      asker.error(ImprovError.unableToConnect);
      this.#setState(ImprovState.ready);
      return;
    }
    this.#status = "";
    this.#options.log("info", "setup: Wi-Fi joined; settings stored");
    this.#setState(ImprovState.provisioned);
    asker.result(ImprovCommand.wifiSettings, this.#urls());
    this.#options.onProvisioned(settings);
  }

  #setState(state: number): void {
    this.#state = state;
    for (const reporter of this.#reporters) reporter.state(state);
  }

  #urls(): string[] {
    return this.#options.nextUrl ? [this.#options.nextUrl] : [];
  }
}

/**
 * IEEE 802.11 names are 1–32 bytes; a WPA2 passphrase is 8–63 characters or 64 hex digits, and an
 * open network has none (IEEE 802.11i-2004, H.4.1). Checked before trying, so a typo is named at once.
 */
function settingsProblem(settings: WifiSettings): SetupStatus | null {
  const ssidBytes = utf8Length(settings.ssid);
  if (ssidBytes < 1 || ssidBytes > 32) return "bad-ssid";
  const length = settings.password.length;
  if (length === 0) return null;
  if (length === 64) return /^[0-9a-fA-F]{64}$/.test(settings.password) ? null : "bad-password";
  return length >= 8 && length <= 63 ? null : "bad-password";
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
