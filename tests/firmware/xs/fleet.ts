/// <reference path="./xs-globals.d.ts" />
import { Outbox } from "../../../firmware/link/outbox";
import { LinkSession } from "../../../firmware/link/session";
import { Uplink } from "../../../firmware/link/uplink";
import type { MqttConnectOptions, MqttSession } from "../../../firmware/ports/mqtt";
import { VirtualClock } from "../../../firmware/platform/sim/virtual-clock";
import { MemoryStore } from "./memory-store";

/**
 * Many nodes' link layers (session, backoff, uplink, outbox: the firmware's own code) in one XS
 * machine, each bridged by the host to its own real MQTT connection. Running one XS machine per
 * node would take a few hundred processes on a two-core runner; the code under test is the same.
 */
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const host = (request: unknown) => decoder.decode(issueCommand(encoder.encode(JSON.stringify(request)).buffer as ArrayBuffer));

class BridgedMqtt implements MqttSession {
  onConnected: () => void = () => {};
  onPublished: (packetId: number) => void = () => {};
  onMessage: (topic: string, payload: string) => void = () => {};
  onDisconnected: (reason: string) => void = () => {};
  #nextId = 0;
  constructor(readonly link: number) {}
  connect(options: MqttConnectOptions): void {
    // The nodes' own time of the attempt, as their backoff scheduled it (the host may be late to carry it out).
    host({ op: "connect", link: this.link, options, at: clock.now() });
  }
  publish(topic: string, payload: string, qos: 0 | 1, retain = false): number {
    const packetId = qos === 0 ? 0 : (this.#nextId = this.#nextId === 65535 ? 1 : this.#nextId + 1);
    host({ op: "publish", link: this.link, topic, payload, qos, retain, packetId });
    return packetId;
  }
  subscribe(filter: string): void {
    host({ op: "subscribe", link: this.link, filter });
  }
  close(): void {
    host({ op: "close", link: this.link });
  }
}

const clock = new VirtualClock();
const links: Array<{ mqtt: BridgedMqtt; uplink: Uplink; session: LinkSession }> = [];

function seeded(seed: number): () => number {
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

type Request =
  | { op: "boot"; count: number; seed: number; bootSpreadMs: number }
  | { op: "advance"; ms: number }
  | { op: "mqtt"; link: number; event: "connected" | "published" | "message" | "disconnected"; packetId?: number; topic?: string; payload?: string; reason?: string }
  | { op: "inspect" };

globalThis.handleCommand = (bytes: ArrayBuffer): ArrayBuffer => {
  const request = JSON.parse(decoder.decode(bytes)) as Request;
  let answer: unknown = null;
  switch (request.op) {
    case "boot":
      for (let i = 0; i < request.count; i++) {
        const mqtt = new BridgedMqtt(i);
        const outbox = new Outbox({ storage: new MemoryStore(), capacity: 8 });
        outbox.load();
        const uplink = new Uplink({ nodeId: `storm-${String(i).padStart(3, "0")}`, bootId: 1, mqtt, clock, outbox });
        const session = new LinkSession({
          mqtt,
          uplink,
          timers: clock,
          log: () => {},
          random: seeded(request.seed + i * 7919),
          firmwareVersion: "0.2.0",
          credentials: {},
          keepAliveMs: 30_000,
          bootSpreadMs: request.bootSpreadMs,
        });
        links.push({ mqtt, uplink, session });
        session.start();
      }
      break;
    case "advance":
      clock.advance(request.ms);
      break;
    case "mqtt": {
      const { mqtt } = links[request.link];
      if (request.event === "connected") mqtt.onConnected();
      else if (request.event === "published") mqtt.onPublished(request.packetId!);
      else if (request.event === "message") mqtt.onMessage(request.topic!, request.payload!);
      else mqtt.onDisconnected(request.reason!);
      break;
    }
    case "inspect":
      answer = { now: clock.now(), connected: links.filter((l) => l.uplink.connected).length, attempts: links.map((l) => l.session.attempts) };
      break;
  }
  return encoder.encode(JSON.stringify(answer)).buffer as ArrayBuffer;
};
