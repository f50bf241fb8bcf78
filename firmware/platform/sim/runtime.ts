/// <reference path="./xsnap-globals.d.ts" />
import { startSensorNode, type SensorNode } from "../../node/sensor-node";
import { startSmokeNode, type SmokeNode } from "../../node/smoke-node";
import type { Platform } from "../../ports/platform";
import { withIdentity } from "../../provisioning/identity";
import { bootProvisioned, type ProvisionedNode } from "../../provisioning/provisioned-boot";
import { callHost } from "./host-call";
import { simEntropy } from "./sim-entropy";
import type { HostToNode, NodeInspection } from "./protocol";
import { simDevice, SimI2cBus, SimPins } from "./sim-io";
import { SimMicroClock } from "./sim-micro-clock";
import { SimMqtt } from "./sim-mqtt";
import { simOtaPlatform } from "./sim-ota";
import { SimStorage } from "./sim-storage";
import { SimSystem } from "./sim-system";
import { VirtualClock } from "./virtual-clock";

/**
 * Entry of a simulated node inside xsnap-worker. The host drives it through `handleCommand`:
 * boot, move the virtual clock, set pin levels and waveforms, attach I2C targets, deliver MQTT
 * events, inspect.
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
/** The running node program: the walking skeleton's smoke node or a sensor node. */
let node: { kind: "smoke"; node: SmokeNode } | { kind: "sensor"; node: SensorNode } | undefined;
let provisioned: ProvisionedNode | undefined;
let pinMap: Record<string, number> = {};

function boot(request: Extract<HostToNode, { op: "boot" }>): void {
  if (node || provisioned) throw new Error("node already booted");
  pinMap = request.pins;
  const platform: Platform = {
    clock,
    timers: clock,
    microClock,
    device: simDevice(pins, pinMap, request.adcResolutionBits, { microClock, bus }),
    mqtt,
    storage: new SimStorage(),
    system: new SimSystem(),
    log: (level, message) => callHost({ op: "log", level, message }),
    ota: request.ota ? simOtaPlatform(request.ota.capacityBytes) : undefined,
  };
  const random = seededRandom(request.seed);
  const start = (identity?: Parameters<typeof withIdentity>[1]): { stop(): void } => {
    if (request.kind === "sensor") {
      const started = startSensorNode(platform, identity ? withIdentity(request.config, identity) : request.config, request.calibration, random);
      node = { kind: "sensor", node: started };
      return started;
    }
    const started = startSmokeNode(platform, identity ? withIdentity(request.config, identity) : request.config, random);
    node = { kind: "smoke", node: started };
    return started;
  };
  const claim = request.claim;
  if (!claim) {
    start();
    return;
  }
  provisioned = bootProvisioned({
    platform,
    entropy: simEntropy,
    random,
    settings: { ...claim, firmwareVersion: request.config.firmwareVersion, keepAliveMs: request.config.mqtt.keepAliveMs },
    resetPin: pinMap.factoryReset,
    start: (identity) => {
      const started = start(identity);
      const running = node;
      return {
        stop() {
          started.stop();
          if (node === running) node = undefined;
        },
      };
    },
  });
}

function inspect(): NodeInspection {
  const claim = provisioned ? { state: provisioned.claimState, lastRefusal: provisioned.lastRefusal } : null;
  if (!node) {
    // A blank node still claiming its identity: nothing runs yet but the claim.
    if (!provisioned) throw new Error("node not booted");
    const empty = { depth: 0, alarms: 0, capacity: 0, inFlight: 0, dropped: { telemetry: 0, event: 0, alarm: 0 } };
    return {
      now: clock.now(), nodeId: null, claim, samples: 0, queued: 0, connected: false, alarmActive: false, bootId: 0, nextSeq: 0,
      outbox: empty, restored: 0, connectAttempts: 0, healthSent: 0, healthIntervalMs: 0, telemetryIntervalMs: 0, ota: null,
    };
  }
  const { uplink, link, samples, config } = node.node;
  const sensing = node.kind === "sensor" ? node.node.inspect() : undefined;
  const outbox = uplink.outbox;
  return {
    now: clock.now(),
    nodeId: uplink.nodeId,
    claim,
    samples,
    queued: uplink.queued,
    connected: uplink.connected,
    alarmActive: node.kind === "smoke" ? node.node.detector.active : !!sensing?.smoke?.alarm || !!sensing?.heat?.alarm,
    bootId: link.bootId,
    nextSeq: uplink.nextSeq,
    outbox: { depth: outbox.depth, alarms: outbox.alarms, capacity: outbox.capacity, inFlight: outbox.inFlight, dropped: { ...outbox.dropped } },
    restored: link.restored,
    connectAttempts: link.session.attempts,
    healthSent: link.health.sent,
    healthIntervalMs: link.health.intervalMs,
    telemetryIntervalMs: config.telemetryIntervalMs,
    ota: node.node.ota?.inspect() ?? null,
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
      if (node?.kind !== "sensor") throw new Error("only a sensor node takes a sensing config");
      return node.node.applySensing(request.config);
    case "mqtt":
      if (request.event === "connected") mqtt.onConnected();
      else if (request.event === "published") mqtt.onPublished(request.packetId);
      else if (request.event === "message") mqtt.onMessage(request.topic, request.payload);
      else mqtt.onDisconnected(request.reason);
      return undefined;
    case "inspect":
      return inspect();
    case "stop":
      if (provisioned) provisioned.stop();
      else node?.node.stop();
      node = undefined;
      provisioned = undefined;
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
