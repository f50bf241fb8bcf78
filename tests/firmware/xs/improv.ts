import { VirtualClock } from "../../../firmware/platform/sim/virtual-clock";
import { SimWifiStation, type SimNetwork } from "../../../firmware/platform/sim/sim-wifi";
import type { KeyValueStore } from "../../../firmware/ports/storage";
import { ImprovBleTransport, type ImprovCharacteristic } from "../../../firmware/setup/improv-ble";
import { ImprovSerialTransport } from "../../../firmware/setup/improv-serial";
import { needsSetup, startSetupSession } from "../../../firmware/setup/setup-session";
import { PORTAL_PAGE, SetupPortal } from "../../../firmware/setup/softap-portal";
import type { WifiSetup } from "../../../firmware/setup/wifi-setup";
import { serveScenario } from "./scenario";

/**
 * A node in Wi-Fi setup, in XS: the Improv state machine behind both transports, a simulated
 * station over networks the test declares, a virtual clock and a memory flash. The test side plays
 * the installer's browser with the Improv SDKs from npm, so the packets are theirs.
 */
type Request =
  | { op: "start"; networks: SimNetwork[]; flash?: Record<string, string>; buttonHeld?: boolean; windowMs?: number }
  | { op: "serial"; bytes: number[] }
  | { op: "ble"; bytes: number[] }
  | { op: "bleRead"; characteristic: "state" | "error" | "capabilities" }
  | { op: "advance"; ms: number }
  | { op: "portal"; body: string }
  | { op: "portalStatus" }
  | { op: "portalPage" }
  | { op: "inspect" };

let clock = new VirtualClock();
const flash = new Map<string, string>();
const storage: KeyValueStore = {
  get: (key) => flash.get(key),
  set: (key, value) => void flash.set(key, value),
  delete: (key) => void flash.delete(key),
};
const logs: string[] = [];
let serialOut: number[] = [];
let bleOut: Array<{ characteristic: ImprovCharacteristic; value: number[] }> = [];
let identified = 0;
let done: { ssid: string } | null = null;
let setup: WifiSetup | undefined;
let serial: ImprovSerialTransport | undefined;
let ble: ImprovBleTransport | undefined;
let station: SimWifiStation | undefined;
let portal: SetupPortal | undefined;
let entered = false;

function drained() {
  const answer = { serial: serialOut, ble: bleOut };
  serialOut = [];
  bleOut = [];
  return answer;
}

serveScenario((request: Request) => {
  switch (request.op) {
    case "start": {
      setup?.close();
      clock = new VirtualClock();
      flash.clear();
      for (const [key, value] of Object.entries(request.flash ?? {})) flash.set(key, value);
      logs.length = 0;
      serialOut = [];
      bleOut = [];
      identified = 0;
      done = null;
      station = new SimWifiStation(clock);
      station.networks.push(...request.networks);
      entered = needsSetup(storage, request.buttonHeld ?? false);
      if (!entered) return { entered };
      setup = startSetupSession({
        storage,
        station,
        timers: clock,
        log: (level, message) => logs.push(`${level}: ${message}`),
        info: { firmware: "shouwang-sensor", version: "0.3.0", chipFamily: "ESP32", deviceName: "守望 烟感 a4cf12" },
        nextUrl: "http://console.local/#/install/a4cf12345678",
        joinTimeoutMs: 20_000,
        windowMs: request.windowMs,
        onDone: (settings) => (done = { ssid: settings.ssid }),
      });
      serial = new ImprovSerialTransport(setup, (bytes) => serialOut.push(...bytes));
      ble = new ImprovBleTransport({
        setup,
        notify: (characteristic, value) => bleOut.push({ characteristic, value: Array.from(value) }),
        identify: () => identified++,
      });
      portal = new SetupPortal(setup);
      return { entered, ...drained() };
    }
    case "serial":
      serial!.receive(Uint8Array.from(request.bytes));
      return drained();
    case "ble":
      ble!.written(Uint8Array.from(request.bytes));
      return drained();
    case "bleRead":
      return request.characteristic === "capabilities" ? [ble!.capabilities] : Array.from(request.characteristic === "state" ? ble!.stateValue : ble!.errorValue);
    case "advance":
      clock.advance(request.ms);
      return drained();
    case "portal":
      return portal!.submit(request.body);
    case "portalStatus":
      return portal!.status();
    case "portalPage":
      return PORTAL_PAGE;
    case "inspect":
      return { state: setup?.state, status: setup?.status, flash: Object.fromEntries(flash), logs, done, identified, joined: station?.joined ?? null };
  }
});
