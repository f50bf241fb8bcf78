/**
 * One slice of `npm run bench:storm`'s fleet, in its own process: a process here may hold at
 * most 20,000 descriptors, and 10,000 nodes' sockets would also swamp one event loop.
 *
 * Each simulated node keeps the firmware link's contract (firmware/link/): MQTT 3.1.1, a
 * persistent session, a retained last will ("offline") and an online status naming the will's
 * seq, a heartbeat at each connection, telemetry every 10 s (QoS 0 while connected, into the
 * outbox while not), an outbox whose messages are deleted only on PUBACK and replayed oldest first,
 * 8 in flight, after each reconnect, and after a drop exponential backoff with full jitter (1 s
 * ceiling doubling to 2 min; firmware/link/backoff.ts). Plain mqtt.js clients, one per connection
 * attempt (so only the outbox decides what is sent again), not the firmware in XS: the subject
 * here is the broker and the cloud; the firmware's own link is tested in XS.
 *
 * Parent → child (IPC): connect, telemetry, outbox (alarms and events raised while offline),
 * fresh (alarms raised now), report. Child → parent: one answer per request.
 */
import mqtt, { type MqttClient } from "mqtt";
import { encodeMessage } from "../shared/codec";
import type { NodeMessage } from "../shared/messages";
import { nodeTopic, otaTopic, storedTopic } from "../shared/topics";

const [brokerUrl, firstText, countText] = process.argv.slice(2);
const first = Number(firstText);
const count = Number(countText);
const TELEMETRY_MS = 10_000;
const IN_FLIGHT = 8;
const OUTBOX_SLOTS = 32;
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 120_000;

const wallNow = () => performance.timeOrigin + performance.now();
const stormNodeId = (i: number) => `storm-${String(i).padStart(5, "0")}`;

interface Entry {
  topic: string;
  payload: string;
  kind: "alarm" | "event" | "telemetry";
  inFlight: boolean;
  /** A fresh alarm's: when its PUBLISH was handed to the socket (wall clock, ms). */
  sentAt?: number;
}

class StormNode {
  readonly id: string;
  #seq = 0;
  #client: MqttClient | undefined;
  #generation = 0;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  outbox: Entry[] = [];
  connected = false;
  /** When the current connection's CONNACK came (wall clock, ms). */
  connectedAt = 0;
  replayed = 0;
  replayedAlarms = 0;
  dropped = 0;
  /** Fresh alarms published on this connection whose bytes have not yet gone to the socket. */
  #unsent: Entry[] = [];

  constructor(index: number) {
    this.id = stormNodeId(index);
  }

  #stamp<T>(body: T): T & { v: 1; node: string; boot: number; seq: number; t: number } {
    return { v: 1, node: this.id, boot: 1, seq: ++this.#seq, t: Math.round(performance.now()), ...body };
  }

  connect(): Promise<void> {
    return new Promise((resolve) => {
      const generation = ++this.#generation;
      const will = this.#stamp({ type: "status" as const, online: false, firmware: "storm-1" });
      const client = mqtt.connect(brokerUrl, {
        clientId: this.id,
        protocolVersion: 4,
        clean: false,
        keepalive: 30,
        reconnectPeriod: 0,
        connectTimeout: 20_000,
        will: { topic: nodeTopic(this.id, "status"), payload: Buffer.from(encodeMessage(will as NodeMessage)), qos: 1, retain: true },
      });
      this.#client = client;
      client.on("connect", () => {
        if (generation !== this.#generation) return;
        (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
        this.#stampWrites(client);
        this.connected = true;
        this.connectedAt = wallNow();
        this.#attempt = 0;
        const online = this.#stamp({ type: "status" as const, online: true, firmware: "storm-1", willSeq: will.seq });
        client.publish(nodeTopic(this.id, "status"), encodeMessage(online as NodeMessage), { qos: 1, retain: true }, () => undefined);
        this.#heartbeat(client);
        // What the firmware's session subscribes to on every connection (firmware/link/session.ts,
        // the OTA agent's topics beside it), one SUBSCRIBE each as it sends them.
        for (const filter of [nodeTopic(this.id, "cmd"), storedTopic(this.id), otaTopic(this.id, "offer"), otaTopic(this.id, "chunk")]) {
          client.subscribe(filter, { qos: 1 }, () => undefined);
        }
        this.#pump();
        resolve();
      });
      client.on("error", () => undefined);
      client.on("close", () => {
        if (generation !== this.#generation) return;
        this.#generation++;
        this.connected = false;
        for (const entry of this.outbox) entry.inFlight = false;
        client.end(true);
        // Full jitter: a uniform wait under a ceiling that doubles with each failed attempt.
        const ceiling = Math.min(BACKOFF_FIRST_MS * 2 ** this.#attempt, BACKOFF_MAX_MS);
        this.#attempt++;
        this.#timer = setTimeout(() => void this.connect(), Math.random() * ceiling);
        resolve();
      });
    });
  }

  /**
   * Notes when a fresh alarm's PUBLISH reaches the socket: mqtt.js writes a packet into a corked
   * stream and flushes it on the next tick, and this process (at a lower priority than the cloud
   * and the broker) can be held between raising an alarm and that flush.
   */
  #stampWrites(client: MqttClient): void {
    const socket = client.stream as unknown as Record<"_write" | "_writev", (...args: unknown[]) => unknown>;
    for (const method of ["_write", "_writev"] as const) {
      const original = socket[method];
      if (typeof original !== "function") continue;
      socket[method] = (...args: unknown[]) => {
        if (this.#unsent.length) {
          const at = wallNow();
          for (const entry of this.#unsent) entry.sentAt = at;
          this.#unsent = [];
        }
        return original.apply(socket, args);
      };
    }
  }

  #heartbeat(client: MqttClient): void {
    const health = this.#stamp({
      type: "health" as const,
      kind: "smoke",
      firmware: "storm-1",
      intervalMs: 60_000,
      resetReason: "power-on",
      sensors: {},
      outbox: { depth: this.outbox.length, capacity: OUTBOX_SLOTS, alarms: this.outbox.filter((e) => e.kind === "alarm").length },
      dropped: { telemetry: this.dropped, event: 0, alarm: 0 },
    });
    client.publish(nodeTopic(this.id, "health"), encodeMessage(health as NodeMessage), { qos: 0 });
  }

  telemetry(): void {
    const message = this.#stamp({ type: "telemetry" as const, readings: { smokeRaw: 300 + (this.#seq % 37), temperatureC: 21.5 } });
    if (this.connected && this.outbox.length === 0) {
      this.#client!.publish(nodeTopic(this.id, "telemetry"), encodeMessage(message as NodeMessage), { qos: 0 });
      return;
    }
    this.#enqueue("telemetry", message as NodeMessage);
  }

  /** An alarm or event raised now: into the outbox, sent at once if connected. Returns the wall-clock time it was raised and its outbox entry, or null if it waits. */
  raise(kind: "alarm" | "event"): { at: number; entry: Entry } | null {
    const message =
      kind === "alarm"
        ? this.#stamp({ type: "alarm" as const, kind: "smoke", severity: "alarm", state: "raised", value: 950, unit: "raw", threshold: 700 })
        : this.#stamp({ type: "event" as const, name: "config-applied", data: { smokeThreshold: 700 } });
    const entry = this.#enqueue(kind, message as NodeMessage);
    const at = wallNow();
    this.#pump();
    return this.connected && entry ? { at, entry } : null;
  }

  #enqueue(kind: Entry["kind"], message: NodeMessage): Entry | null {
    if (this.outbox.length >= OUTBOX_SLOTS) {
      // Full: telemetry makes room first (firmware/link/outbox.ts); alarms never evict alarms.
      const victim = this.outbox.findIndex((e) => e.kind === "telemetry" && !e.inFlight);
      if (victim < 0) return null;
      this.outbox.splice(victim, 1);
      this.dropped++;
    }
    const entry: Entry = { topic: nodeTopic(this.id, kind), payload: encodeMessage(message), kind, inFlight: false };
    this.outbox.push(entry);
    return entry;
  }

  #pump(): void {
    const client = this.#client;
    if (!this.connected || !client) return;
    const generation = this.#generation;
    let inFlight = this.outbox.filter((e) => e.inFlight).length;
    for (const entry of this.outbox) {
      if (inFlight >= IN_FLIGHT) break;
      if (entry.inFlight) continue;
      entry.inFlight = true;
      inFlight++;
      if (entry.kind === "alarm" && entry.sentAt === undefined) this.#unsent.push(entry);
      client.publish(entry.topic, entry.payload, { qos: 1 }, (error) => {
        if (generation !== this.#generation) return;
        if (error) {
          entry.inFlight = false;
          return;
        }
        const at = this.outbox.indexOf(entry);
        if (at >= 0) this.outbox.splice(at, 1);
        this.replayed++;
        if (entry.kind === "alarm") this.replayedAlarms++;
        this.#pump();
      });
    }
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#generation++;
    this.#client?.end(true);
  }
}

const nodes = Array.from({ length: count }, (_, k) => new StormNode(first + k));
let telemetryTimers: NodeJS.Timeout[] = [];

type Request =
  | { cmd: "connect" }
  | { cmd: "telemetry" }
  | { cmd: "outbox"; alarms: number[]; events: number[] }
  | { cmd: "fresh"; nodes: number[]; overMs: number }
  | { cmd: "reset-counters" }
  /** `connectedAt` (a time per node) only when `full`: the bench polls the rest every 250 ms. */
  | { cmd: "report"; full?: boolean }
  | { cmd: "close" };

process.on("message", async (request: Request) => {
  switch (request.cmd) {
    case "connect": {
      const started = performance.now();
      for (let i = 0; i < nodes.length; i += 50) await Promise.all(nodes.slice(i, i + 50).map((node) => node.connect()));
      process.send!({ connected: nodes.filter((n) => n.connected).length, ms: performance.now() - started });
      return;
    }
    case "telemetry": {
      telemetryTimers = nodes.map((node) => {
        const timer = setTimeout(() => {
          node.telemetry();
          telemetryTimers.push(setInterval(() => node.telemetry(), TELEMETRY_MS));
        }, Math.random() * TELEMETRY_MS);
        return timer;
      });
      process.send!({ ok: true });
      return;
    }
    case "reset-counters":
      for (const node of nodes) {
        node.replayed = 0;
        node.replayedAlarms = 0;
      }
      process.send!({ ok: true });
      return;
    case "outbox": {
      // Raised while the broker is away: they wait in the outbox and go with the replay.
      for (const index of request.alarms) nodes[index - first].raise("alarm");
      for (const index of request.events) nodes[index - first].raise("event");
      process.send!({ ok: true });
      return;
    }
    case "fresh": {
      // Each at a random moment of the window; a node still reconnecting hands its alarm to a connected neighbour of this slice.
      const raised: Array<{ node: string; at: number; entry: Entry }> = [];
      const taken = new Set(request.nodes);
      await Promise.all(
        request.nodes.map(
          (index) =>
            new Promise<void>((resolve) =>
              setTimeout(() => {
                let node = nodes[index - first];
                if (!node.connected) {
                  const other = nodes.find((n, k) => n.connected && !taken.has(first + k) && n.outbox.length === 0);
                  if (other) {
                    taken.add(first + nodes.indexOf(other));
                    node = other;
                  }
                }
                const alarm = node.raise("alarm");
                if (alarm !== null) raised.push({ node: node.id, ...alarm });
                resolve();
              }, Math.random() * request.overMs),
            ),
        ),
      );
      // Each alarm's PUBLISH reaches its socket within a moment, or after its node's replay ahead of it.
      const until = performance.now() + 10_000;
      while (raised.some((r) => r.entry.sentAt === undefined) && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      process.send!({ published: raised.map(({ node, at, entry }) => ({ node, at, sentAt: entry.sentAt ?? null })) });
      return;
    }
    case "report": {
      process.send!({
        connected: nodes.filter((n) => n.connected).length,
        connectedAt: request.full ? nodes.map((n) => (n.connected ? n.connectedAt : null)) : [],
        replayed: nodes.reduce((sum, n) => sum + n.replayed, 0),
        replayedAlarms: nodes.reduce((sum, n) => sum + n.replayedAlarms, 0),
        outboxLeft: nodes.reduce((sum, n) => sum + n.outbox.length, 0),
        telemetryDropped: nodes.reduce((sum, n) => sum + n.dropped, 0),
      });
      return;
    }
    case "close":
      for (const timer of telemetryTimers) clearTimeout(timer);
      for (const node of nodes) node.close();
      process.send!({ ok: true }, () => process.exit(0));
      return;
  }
});
process.send!({ ready: true });
