/// <reference path="./xsnap-globals.d.ts" />
import { startSmokeNode, type SmokeNode } from "../../node/smoke-node";
import type { Platform } from "../../ports/platform";
import { callHost } from "./host-call";
import type { HostToNode, NodeInspection } from "./protocol";
import { simDevice, SimPins } from "./sim-io";
import { SimMqtt } from "./sim-mqtt";
import { simOtaPlatform } from "./sim-ota";
import { SimStorage } from "./sim-storage";
import { VirtualClock } from "./virtual-clock";

/**
 * Entry of a simulated node inside xsnap-worker. The host drives it through `handleCommand`:
 * boot, move the virtual clock, set pin levels, deliver MQTT events, inspect.
 */

// Firmware time comes from the injected clock only: make the host's wall clock unreachable,
// so code that sneaks a look at it fails here as it would mislead on a device.
Date.now = () => {
  throw new Error("firmware must read time from its injected Clock, not Date.now()");
};
delete (globalThis as { performance?: unknown }).performance;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const clock = new VirtualClock();
const pins = new SimPins();
const mqtt = new SimMqtt();
let node: SmokeNode | undefined;
let pinMap: Record<string, number> = {};

function boot(request: Extract<HostToNode, { op: "boot" }>): void {
  if (node) throw new Error("node already booted");
  pinMap = request.pins;
  const platform: Platform = {
    clock,
    timers: clock,
    device: simDevice(pins, pinMap, request.adcResolutionBits),
    mqtt,
    storage: new SimStorage(),
    log: (level, message) => callHost({ op: "log", level, message }),
    ota: request.ota ? simOtaPlatform(request.ota.capacityBytes, () => clock.halt()) : undefined,
  };
  node = startSmokeNode(platform, request.config, seededRandom(request.seed));
}

function inspect(): NodeInspection {
  return {
    now: clock.now(),
    samples: node?.samples ?? 0,
    queued: node?.uplink.queued ?? 0,
    connected: node?.uplink.connected ?? false,
    alarmActive: node?.detector.active ?? false,
    ota: node?.ota?.inspect() ?? null,
  };
}

function dispatch(request: HostToNode): unknown {
  switch (request.op) {
    case "boot":
      return boot(request);
    case "advance":
      clock.advance(request.ms);
      return clock.now();
    case "pins":
      for (const name of Object.keys(request.values)) {
        const gpio = pinMap[name];
        if (gpio === undefined) throw new Error(`the board has no pin named "${name}"`);
        pins.set(gpio, request.values[name]);
      }
      return undefined;
    case "mqtt":
      // A restarting node hears nothing more: the host is about to replace this machine.
      if (clock.halted) return undefined;
      if (request.event === "connected") mqtt.onConnected();
      else if (request.event === "published") mqtt.onPublished(request.packetId);
      else if (request.event === "message") mqtt.onMessage(request.topic, request.payload);
      else mqtt.onDisconnected(request.reason);
      return undefined;
    case "inspect":
      return inspect();
    case "stop":
      node?.stop();
      node = undefined;
      return undefined;
  }
}

globalThis.handleCommand = (bytes: ArrayBuffer): ArrayBuffer => {
  let reply: unknown;
  try {
    reply = { ok: true, value: dispatch(JSON.parse(decoder.decode(bytes)) as HostToNode) };
  } catch (error) {
    reply = { ok: false, error: String((error as Error)?.message ?? error) };
  }
  return encoder.encode(JSON.stringify(reply)).buffer as ArrayBuffer;
};

/** xorshift32: a deterministic stream per node, so backoff jitter replays identically. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}
