/// <reference path="./xsnap-globals.d.ts" />
import { startSensorNode, type SensorNode } from "../../node/sensor-node";
import { startSmokeNode, type SmokeNode } from "../../node/smoke-node";
import type { Platform } from "../../ports/platform";
import { callHost } from "./host-call";
import type { HostToNode, NodeInspection } from "./protocol";
import { simDevice, SimI2cBus, SimPins } from "./sim-io";
import { SimMicroClock } from "./sim-micro-clock";
import { SimMqtt } from "./sim-mqtt";
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
const microClock = new SimMicroClock(clock);
const pins = new SimPins();
const bus = new SimI2cBus();
const mqtt = new SimMqtt();
let smokeNode: SmokeNode | undefined;
let sensorNode: SensorNode | undefined;
let pinMap: Record<string, number> = {};

function boot(request: Extract<HostToNode, { op: "boot" }>): void {
  if (smokeNode || sensorNode) throw new Error("node already booted");
  pinMap = request.pins;
  const platform: Platform = {
    clock,
    timers: clock,
    microClock,
    device: simDevice(pins, pinMap, request.adcResolutionBits, { microClock, bus }),
    mqtt,
    storage: new SimStorage(),
    log: (level, message) => callHost({ op: "log", level, message }),
  };
  if (request.kind === "sensor") sensorNode = startSensorNode(platform, request.config, request.calibration, seededRandom(request.seed));
  else smokeNode = startSmokeNode(platform, request.config, seededRandom(request.seed));
}

function inspect(): NodeInspection {
  const uplink = smokeNode?.uplink ?? sensorNode?.uplink;
  const sensing = sensorNode?.inspect();
  return {
    now: clock.now(),
    samples: smokeNode?.samples ?? sensing?.samples ?? 0,
    queued: uplink?.queued ?? 0,
    connected: uplink?.connected ?? false,
    alarmActive: smokeNode?.detector.active ?? (!!sensing?.smoke?.alarm || !!sensing?.heat?.alarm),
    sensing,
  };
}

function gpio(name: string): number {
  const pin = pinMap[name];
  if (pin === undefined) throw new Error(`the board has no pin named "${name}"`);
  return pin;
}

function dispatch(request: HostToNode): unknown {
  switch (request.op) {
    case "boot":
      return boot(request);
    case "advance":
      clock.advance(request.ms);
      return clock.now();
    case "pins":
      for (const name of Object.keys(request.values)) pins.set(gpio(name), request.values[name]);
      return undefined;
    case "waveform":
      pins.setWaveform(gpio(request.pin), request.waveform);
      return undefined;
    case "i2c":
      if (request.registers) bus.attach(request.address, request.registers);
      else bus.detach(request.address);
      return undefined;
    case "sensing":
      if (!sensorNode) throw new Error("only a sensor node takes a sensing config");
      return sensorNode.applySensing(request.config);
    case "mqtt":
      if (request.event === "connected") mqtt.onConnected();
      else if (request.event === "published") mqtt.onPublished(request.packetId);
      else if (request.event === "message") mqtt.onMessage(request.topic, request.payload);
      else mqtt.onDisconnected(request.reason);
      return undefined;
    case "inspect":
      return inspect();
    case "stop":
      smokeNode?.stop();
      sensorNode?.stop();
      smokeNode = sensorNode = undefined;
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
