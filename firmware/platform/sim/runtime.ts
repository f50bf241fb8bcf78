/// <reference path="./xsnap-globals.d.ts" />
import { encodeCommand } from "../../../shared/codec";
import { nodeTopic } from "../../../shared/topics";
import { startCapsuleNode, type CapsuleNode } from "../../node/capsule-node";
import { startElevatorNode, type ElevatorNode } from "../../node/elevator-node";
import { startSensorNode, type SensorNode } from "../../node/sensor-node";
import { startSmokeNode, type SmokeNode } from "../../node/smoke-node";
import type { Platform } from "../../ports/platform";
import { withIdentity } from "../../provisioning/identity";
import { bootProvisioned, type ProvisionedNode } from "../../provisioning/provisioned-boot";
import { callHost } from "./host-call";
import type { CommandOutcome, HostToNode, NodeInspection, SimOutputs } from "./protocol";
import { simEntropy } from "./sim-entropy";
import { SimDisplay, SimHeldLoad, SimPulseGenerator, SimVoiceModule } from "./sim-hardware";
import { simDevice, SimI2cBus, SimPins } from "./sim-io";
import { SimMqtt } from "./sim-mqtt";
import { simOtaPlatform } from "./sim-ota";
import { SimStorage } from "./sim-storage";
import { SimSystem } from "./sim-system";
import { VirtualClock } from "./virtual-clock";

/**
 * Entry of a simulated node inside xsnap-worker. The host drives it through `handleCommand`:
 * boot, move the virtual clock, set pin levels, waveforms, I2C targets and peripherals' pulses,
 * deliver MQTT events, read the circuits around the chip, inspect.
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
const bus = new SimI2cBus();
const mqtt = new SimMqtt();
let node: SmokeNode | SensorNode | ElevatorNode | CapsuleNode | undefined;
let smoke: SmokeNode | undefined;
let sensor: SensorNode | undefined;
let provisioned: ProvisionedNode | undefined;
let pinMap: Record<string, number> = {};
const circuits: { relayLock?: SimHeldLoad; warningLight?: SimHeldLoad; voice?: SimVoiceModule; display?: SimDisplay } = {};
const pulses = new Map<string, SimPulseGenerator>();

function boot(request: BootRequest): void {
  if (node || provisioned) throw new Error("node already booted");
  pinMap = request.pins;
  const platform: Platform = {
    clock,
    timers: clock,
    device: simDevice(pins, pinMap, request.adcResolutionBits, { clock, bus }),
    mqtt,
    storage: new SimStorage(),
    entropy: simEntropy,
    system: new SimSystem(),
    log: (level, message) => callHost({ op: "log", level, message }),
    ota: request.ota ? simOtaPlatform(request.ota.capacityBytes) : undefined,
  };
  for (const name of Object.keys(request.levels ?? {})) pins.set(gpio(name), request.levels![name]);
  buildCircuits(request);
  const random = seededRandom(request.seed);
  const claim = request.claim;
  if (!claim) {
    start(request, platform, random);
    return;
  }
  // A blank node claims first, then starts the kind it was booted as under its claimed identity.
  provisioned = bootProvisioned({
    platform,
    entropy: simEntropy,
    random,
    settings: { ...claim, firmwareVersion: request.config.firmwareVersion, keepAliveMs: request.config.mqtt.keepAliveMs },
    resetPin: pinMap.factoryReset,
    start: (identity) => {
      const started = start({ ...request, config: withIdentity(request.config, identity) } as BootRequest, platform, random);
      return {
        stop() {
          started.stop();
          if (node === started) node = smoke = sensor = undefined;
        },
      };
    },
  });
}

type BootRequest = Extract<HostToNode, { op: "boot" }>;

/** The circuits around the chip are there from power-on, whether or not the node has claimed yet. */
function buildCircuits(request: BootRequest): void {
  if (request.kind === "elevator") {
    const drive = request.board.outputDrive;
    circuits.relayLock = new SimHeldLoad(pins, gpio("relayLock"), clock, drive.relayLock);
    circuits.warningLight = new SimHeldLoad(pins, gpio("warningLight"), clock, drive.warningLight);
    circuits.voice = new SimVoiceModule(pins, gpio("voiceTx"));
    // The relay's second pole follows its armature.
    const relay = circuits.relayLock;
    if (pinMap.relaySense !== undefined) pins.drive(pinMap.relaySense, () => (relay.on ? 1 : 0));
  } else if (request.kind === "capsule") {
    circuits.display = new SimDisplay(pins, gpio("displayTx"));
  }
}

/** Starts the node program of the request's kind. */
function start(request: BootRequest, platform: Platform, random: () => number): SmokeNode | SensorNode | ElevatorNode | CapsuleNode {
  switch (request.kind) {
    case "smoke":
      return (node = smoke = startSmokeNode(platform, request.config, random));
    case "sensor":
      return (node = sensor = startSensorNode(platform, request.config, request.calibration, random));
    case "elevator":
      return (node = startElevatorNode(platform, request.config, request.board, random));
    case "capsule":
      return (node = startCapsuleNode(platform, request.config, request.board, random));
  }
}

function gpio(name: string): number {
  const pin = pinMap[name];
  if (pin === undefined) throw new Error(`the board has no pin named "${name}"`);
  return pin;
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
  const { uplink, link } = node;
  const outbox = uplink.outbox;
  const inspection: NodeInspection = {
    now: clock.now(),
    nodeId: uplink.nodeId,
    claim,
    samples: smoke?.samples ?? sensor?.samples ?? 0,
    queued: uplink.queued,
    connected: uplink.connected,
    alarmActive: smoke?.detector.active ?? (sensor ? sensor.sensing.busy() !== null : false),
    bootId: link.bootId,
    nextSeq: uplink.nextSeq,
    outbox: { depth: outbox.depth, alarms: outbox.alarms, capacity: outbox.capacity, inFlight: outbox.inFlight, dropped: { ...outbox.dropped } },
    restored: link.restored,
    connectAttempts: link.session.attempts,
    healthSent: link.health.sent,
    healthIntervalMs: link.health.intervalMs,
    telemetryIntervalMs: smoke?.config.telemetryIntervalMs ?? sensor?.config.telemetryIntervalMs ?? 0,
    // Every node program may take over-the-air updates.
    ota: node.ota?.inspect() ?? null,
    sensing: sensor?.inspect(),
  };
  if ("state" in node) {
    inspection.state = node.state();
    inspection.ticks = node.ticks;
  }
  return inspection;
}

function outputs(): SimOutputs {
  return {
    relayLock: circuits.relayLock?.on,
    warningLight: circuits.warningLight?.on,
    voice: circuits.voice ? { ...circuits.voice.state } : undefined,
    display: circuits.display ? circuits.display.text : undefined,
    statusLed: pinMap.statusLed === undefined ? undefined : pins.get(pinMap.statusLed) === 1,
  };
}

/** Through the node's own inbox (decode, de-duplicate, dispatch, ack), as if it came on its `cmd` topic. */
function command(request: Extract<HostToNode, { op: "command" }>): CommandOutcome {
  if (!node) throw new Error("node not booted");
  return node.link.commands.receive(nodeTopic(node.uplink.nodeId, "cmd"), encodeCommand(request.command));
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
        const pin = gpio(name);
        pulses.get(name)?.stop();
        pulses.delete(name);
        pins.set(pin, request.values[name]);
      }
      return undefined;
    case "waveform":
      pins.setWaveform(gpio(request.pin), request.waveform);
      return undefined;
    case "i2c":
      if (request.registers) bus.attach(request.address, request.registers);
      else bus.detach(request.address);
      return undefined;
    case "sensing":
      if (!sensor) throw new Error("only a sensor node takes a sensing config");
      return sensor.applySensing(request.config);
    case "pulses":
      for (const name of Object.keys(request.values)) {
        const pin = gpio(name);
        const halfPeriodMs = request.values[name];
        pulses.get(name)?.stop();
        pulses.delete(name);
        if (halfPeriodMs !== null) pulses.set(name, new SimPulseGenerator(pins, pin, clock, halfPeriodMs));
      }
      return undefined;
    case "outputs":
      return outputs();
    case "hang":
      clock.freeze();
      return undefined;
    case "command":
      return command(request);
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
      else node?.stop();
      node = smoke = sensor = undefined;
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
