import { VirtualClock } from "../../../firmware/platform/sim/virtual-clock";
import { simDevice, SimPins } from "../../../firmware/platform/sim/sim-io";
import type { MqttConnectOptions, MqttSession } from "../../../firmware/ports/mqtt";
import type { KeyValueStore } from "../../../firmware/ports/storage";
import { Claimer, type ClaimSettings } from "../../../firmware/provisioning/claim";
import type { NodeIdentity } from "../../../firmware/provisioning/identity";
import { ResetButton } from "../../../firmware/provisioning/reset-button";
import { serveScenario } from "./scenario";

/**
 * The claim state machine and the factory-reset button in XS, against a scripted MQTT session,
 * a virtual clock and a memory flash: the test plays the broker and the cloud.
 */
type Call = { op: "connect"; options: MqttConnectOptions } | { op: "subscribe"; filter: string } | { op: "publish"; topic: string; payload: string; qos: number } | { op: "close" };

const clock = new VirtualClock();
const calls: Call[] = [];
const logs: string[] = [];
const flash = new Map<string, string>();
const storage: KeyValueStore = {
  get: (key) => flash.get(key),
  set: (key, value) => void flash.set(key, value),
  delete: (key) => void flash.delete(key),
};
const mqtt: MqttSession = {
  connect: (options) => void calls.push({ op: "connect", options }),
  publish: (topic, payload, qos) => {
    calls.push({ op: "publish", topic, payload, qos });
    return 1;
  },
  subscribe: (filter) => void calls.push({ op: "subscribe", filter }),
  close: () => void calls.push({ op: "close" }),
  onConnected: () => {},
  onPublished: () => {},
  onMessage: () => {},
  onDisconnected: () => {},
};
let entropyByte = 0;
let claimer: Claimer | undefined;
let claimed: NodeIdentity | null = null;
const pins = new SimPins();
let button: ResetButton | undefined;
let presses = 0;

type Request =
  | { op: "start"; settings: ClaimSettings; flash?: Record<string, string>; entropyByte: number }
  | { op: "connected" }
  | { op: "message"; topic: string; payload: string }
  | { op: "disconnected"; reason: string }
  | { op: "advance"; ms: number }
  | { op: "button"; pin: number }
  | { op: "press"; level: number };

serveScenario((request: Request) => {
  switch (request.op) {
    case "start":
      claimer?.close();
      calls.length = 0;
      logs.length = 0;
      flash.clear();
      for (const [key, value] of Object.entries(request.flash ?? {})) flash.set(key, value);
      entropyByte = request.entropyByte;
      claimed = null;
      claimer = new Claimer({
        mqtt,
        timers: clock,
        log: (level, message) => logs.push(`${level}: ${message}`),
        storage,
        entropy: { fill: (bytes) => bytes.fill(entropyByte) },
        random: () => 1,
        settings: request.settings,
        onClaimed: (identity) => (claimed = identity),
      });
      claimer.start();
      break;
    case "connected":
      mqtt.onConnected();
      break;
    case "message":
      mqtt.onMessage(request.topic, request.payload);
      break;
    case "disconnected":
      mqtt.onDisconnected(request.reason);
      break;
    case "advance":
      clock.advance(request.ms);
      break;
    case "button":
      button = new ResetButton({ Digital: simDevice(pins, {}).io.Digital, pin: request.pin, timers: clock, onHeld: () => presses++ });
      break;
    case "press":
      pins.set(0, request.level);
      break;
  }
  return { now: clock.now(), state: claimer?.state, lastRefusal: claimer?.lastRefusal, attempts: claimer?.attempts, calls, logs, flash: Object.fromEntries(flash), claimed, presses, buttonOpen: button !== undefined };
});
