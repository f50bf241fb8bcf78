import type { Platform } from "../../ports/platform";
import { ImprovBleTransport } from "../../setup/improv-ble";
import { ImprovState, type WifiSettings } from "../../setup/improv-protocol";
import { ImprovSerialTransport } from "../../setup/improv-serial";
import { needsSetup, startSetupSession } from "../../setup/setup-session";
import { SetupPortal } from "../../setup/softap-portal";
import { loadWifiSettings } from "../../setup/wifi-credentials";
import type { DeviceInfo } from "../../setup/wifi-setup";
import { ImprovBleServer } from "./improv-ble-server";
import { openImprovUart } from "./improv-uart";
import { openSetupAccessPoint } from "./softap-setup";
import { Esp32WifiStation } from "./wifi-station";

export interface NetworkOptions {
  platform: Platform;
  info: DeviceInfo;
  /** The console's installer screen for this node, handed to the installer's phone on success. */
  nextUrl?: string;
  /** The button read as the node boots (the factory-reset button): held down, it enters setup. */
  setupPin?: number;
  /** The status LED, blinked when the installer's phone asks the node to identify itself. */
  statusLedPin?: number;
  /** Also open the node's own access point with a setup page, for phones without Web Bluetooth. */
  softAp: boolean;
  /** Called once, when the node is on a network. */
  online: () => void;
}

const RETRY_MS = [5_000, 15_000, 30_000, 60_000, 120_000];

/**
 * Gets the node onto Wi-Fi: with stored settings it joins (retrying for ever, since a router that
 * reboots must not strand a node); without them, or with the setup button held at boot, it waits
 * for an installer over Bluetooth, USB serial and, if asked, its own access point. Unverified on a
 * device: no ESP-IDF here; the setup logic it wires is tested in XS (tests/firmware/improv.test.ts).
 */
export function bringUpNetwork(options: NetworkOptions): void {
  const { platform } = options;
  const { storage, timers, log } = platform;
  const station = new Esp32WifiStation();

  const join = (settings: WifiSettings, attempt = 0) => {
    station.join(settings.ssid, settings.password, (outcome) => {
      if (outcome === "connected") return options.online();
      const waitMs = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
      log("warn", `Wi-Fi not joined (${outcome}); trying again in ${waitMs / 1000} s`);
      timers.set(() => join(settings, attempt + 1), waitMs);
    });
  };

  if (!needsSetup(storage, buttonHeld(platform, options.setupPin))) return join(loadWifiSettings(storage)!);

  log("info", "Wi-Fi setup: waiting for an installer (Bluetooth, USB serial)");
  const closers: Array<() => void> = [];
  const setup = startSetupSession({
    storage,
    station,
    timers,
    log,
    info: options.info,
    nextUrl: options.nextUrl,
    onDone: (settings) => {
      for (const close of closers) close();
      if (setup.state === ImprovState.provisioned) options.online();
      else join(settings);
    },
  });
  const ble = new ImprovBleServer(options.info.deviceName);
  ble.attach(new ImprovBleTransport({ setup, notify: (characteristic, value) => ble.notify(characteristic, value), identify: () => blink(platform, options.statusLedPin) }));
  closers.push(() => ble.close());
  closers.push(openImprovUart((write) => new ImprovSerialTransport(setup, write)));
  if (options.softAp) closers.push(openSetupAccessPoint(options.info.deviceName, new SetupPortal(setup)));
}

function buttonHeld(platform: Platform, pin: number | undefined): boolean {
  if (pin === undefined) return false;
  const { Digital } = platform.device.io;
  const button = new Digital({ pin, mode: Digital.InputPullUp });
  const held = button.read() === 0;
  button.close();
  return held;
}

function blink(platform: Platform, pin: number | undefined): void {
  if (pin === undefined) return;
  const { Digital } = platform.device.io;
  const led = new Digital({ pin, mode: Digital.Output });
  let toggles = 0;
  const timer = platform.timers.repeat(() => {
    led.write(toggles % 2 === 0 ? 1 : 0);
    if (++toggles >= 12) {
      platform.timers.clear(timer);
      led.write(0);
      led.close();
    }
  }, 250);
}
