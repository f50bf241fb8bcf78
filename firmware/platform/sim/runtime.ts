/// <reference path="./xsnap-globals.d.ts" />
import { encodeCommand } from "../../../shared/codec";
import { nodeTopic } from "../../../shared/topics";
import { startCapsuleNode, type CapsuleNode } from "../../node/capsule-node";
import { startElevatorNode, type ElevatorNode } from "../../node/elevator-node";
import { startSmokeNode, type SmokeNode } from "../../node/smoke-node";
import type { Platform } from "../../ports/platform";
import { callHost } from "./host-call";
import type { CommandOutcome, HostToNode, NodeInspection, SimOutputs } from "./protocol";
import { SimDisplay, SimHeldLoad, SimPulseGenerator, SimVoiceModule } from "./sim-hardware";
import { simDevice, SimPins } from "./sim-io";
import { SimMqtt } from "./sim-mqtt";
import { SimStorage } from "./sim-storage";
import { SimSystem } from "./sim-system";
import { VirtualClock } from "./virtual-clock";

/**
 * Entry of a simulated node inside xsnap-worker. The host drives it through `handleCommand`:
 * boot, move the virtual clock, set pin levels and peripherals' pulses, deliver MQTT events, read
 * the circuits around the chip, inspect.
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
let node: SmokeNode | ElevatorNode | CapsuleNode | undefined;
let smoke: SmokeNode | undefined;
let pinMap: Record<string, number> = {};
const circuits: { relayLock?: SimHeldLoad; warningLight?: SimHeldLoad; voice?: SimVoiceModule; display?: SimDisplay } = {};
const pulses = new Map<string, SimPulseGenerator>();

function boot(request: Extract<HostToNode, { op: "boot" }>): void {
  if (node) throw new Error("node already booted");
  pinMap = request.pins;
  const platform: Platform = {
    clock,
    timers: clock,
    device: simDevice(pins, pinMap, request.adcResolutionBits),
    mqtt,
    storage: new SimStorage(),
    system: new SimSystem(),
    log: (level, message) => callHost({ op: "log", level, message }),
  };
  for (const name of Object.keys(request.levels ?? {})) pins.set(gpio(name), request.levels![name]);
  const random = seededRandom(request.seed);
  switch (request.kind) {
    case "smoke":
      node = smoke = startSmokeNode(platform, request.config, random);
      return;
    case "elevator": {
      const drive = request.board.outputDrive;
      circuits.relayLock = new SimHeldLoad(pins, gpio("relayLock"), clock, drive.relayLock);
      circuits.warningLight = new SimHeldLoad(pins, gpio("warningLight"), clock, drive.warningLight);
      circuits.voice = new SimVoiceModule(pins, gpio("voiceTx"));
      // The relay's second pole follows its armature.
      const relay = circuits.relayLock;
      if (pinMap.relaySense !== undefined) pins.drive(pinMap.relaySense, () => (relay.on ? 1 : 0));
      node = startElevatorNode(platform, request.config, request.board, random);
      return;
    }
    case "capsule":
      circuits.display = new SimDisplay(pins, gpio("displayTx"));
      node = startCapsuleNode(platform, request.config, request.board, random);
      return;
  }
}

function gpio(name: string): number {
  const pin = pinMap[name];
  if (pin === undefined) throw new Error(`the board has no pin named "${name}"`);
  return pin;
}

function inspect(): NodeInspection {
  if (!node) throw new Error("node not booted");
  const { uplink, link } = node;
  const outbox = uplink.outbox;
  const inspection: NodeInspection = {
    now: clock.now(),
    samples: smoke?.samples ?? 0,
    queued: uplink.queued,
    connected: uplink.connected,
    alarmActive: smoke?.detector.active ?? false,
    bootId: link.bootId,
    nextSeq: uplink.nextSeq,
    outbox: { depth: outbox.depth, alarms: outbox.alarms, capacity: outbox.capacity, inFlight: outbox.inFlight, dropped: { ...outbox.dropped } },
    restored: link.restored,
    connectAttempts: link.session.attempts,
    healthSent: link.health.sent,
    healthIntervalMs: link.health.intervalMs,
    telemetryIntervalMs: smoke?.config.telemetryIntervalMs ?? 0,
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
      node?.stop();
      node = smoke = undefined;
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
