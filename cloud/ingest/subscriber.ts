import { generate, parser as mqttParser, type IConnackPacket, type IPublishPacket, type ISubackPacket, type Packet } from "mqtt-packet";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { uplinkFilters } from "../../shared/topics";
import type { Logger } from "../log";
import type { Ingest } from "./ingest";

export interface SubscriberOptions {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  /** 5 for Mosquitto and clustered brokers; 4 for the embedded broker, which speaks MQTT 3.1.1 only. */
  protocolVersion: 4 | 5;
  /** MQTT 5 shared-subscription group, so several cloud instances split the stream. */
  shareGroup?: string;
  /** Topic filters this session takes (before any share prefix). Default: every uplink channel. */
  filters?: string[];
  /** Filters a persistent session may hold from an earlier version and should no longer take; unsubscribed after each connect. */
  unsubscribe?: string[];
  /**
   * MQTT 5 Receive Maximum: QoS 1 messages the broker may have in flight to this instance
   * before its PUBACKs. It bounds what a crash leaves for redelivery and what the ingest holds
   * in memory. Default 2000: twice the ingest's largest transaction, so one batch fills while
   * the previous one commits.
   */
  receiveMaximum?: number;
  /** How long the broker keeps this instance's session (and its queued messages) while it is away. Default 7 days. */
  sessionExpirySeconds?: number;
  keepAliveSeconds?: number;
  /**
   * Reconnect backoff: the first wait and the ceiling it doubles up to (each wait jittered to
   * half–all of it). Default 500 ms and 2 s; the alarm session's are far shorter (alarm-lane.ts).
   */
  retry?: { firstMs: number; maxMs: number };
  /** Start-up fails if the first subscription is not in place within this. Default 10 s. */
  firstConnectTimeoutMs?: number;
  /**
   * Milliseconds of parsing and handling this session may take per turn of the event loop
   * before it lets the loop turn (see PacedReader). Default 6.
   */
  turnBudgetMs?: number;
  /**
   * Asked before each turn's reading: a promise means "not now" (Urgency.calm while an alarm is in
   * hand), and the socket stays paused until it resolves. Default: always read.
   */
  holdReading?: () => Promise<void> | undefined;
}

export interface IngestSubscription {
  readonly connected: boolean;
  /** Messages acknowledged to the broker since start. */
  readonly acknowledged: number;
  /** Stops taking messages, lets those in hand be stored and acknowledged, then disconnects (the session stays). */
  close(): Promise<void>;
}

const FIRST_CONNECT_TIMEOUT_MS = 10_000;
const TURN_BUDGET_MS = 6;
/** Bytes handed to the parser at once, so the turn's budget is checked every few dozen packets. */
const FEED_BYTES = 4096;
const RETRY_FIRST_MS = 500;
/**
 * Short on purpose: while the ingest is away every alarm waits at the broker, and after a broker
 * restart the nodes come back within seconds (bench:storm measured fresh alarms waiting 4–7 s
 * behind a 10 s ceiling). One client retrying every 2 s costs the broker nothing.
 */
const RETRY_MAX_MS = 2000;
/** While the broker stays away, "still offline" is logged at most this often (not once per attempt). */
const OFFLINE_LOG_EVERY_MS = 10_000;

/**
 * Feeds every node uplink message into the ingest and acknowledges each QoS 1 message only
 * once the ingest has stored it. Written on `mqtt-packet` rather than mqtt.js because mqtt.js
 * hands a client one incoming message at a time and sends its PUBACK before reading the next:
 * with "ack after store" that means one database transaction per message. Here up to
 * `receiveMaximum` messages are in hand at once, the ingest writes them in a few transactions,
 * and the PUBACKs go out in the order the messages came, as MQTT requires (v5 §4.6).
 *
 * The session is persistent (Clean Start 0 and a session expiry; 3.1.1: clean session 0), so
 * messages that arrive while this instance restarts or crashes wait at the broker, and anything
 * received but not yet acknowledged is delivered again. A failed write is not acknowledged:
 * the connection is dropped so the broker delivers it again after the reconnect.
 */
export async function startSubscriber(options: SubscriberOptions, ingest: Ingest, log: Logger): Promise<IngestSubscription> {
  const connection = new IngestConnection(options, ingest, log);
  await connection.start();
  log("info", "ingest subscribed", { broker: redactUrl(options.url), filters: connection.filters.join(",") });
  return connection;
}

interface PendingAck {
  messageId: number;
  stored: boolean;
}

class IngestConnection implements IngestSubscription {
  readonly filters: string[];
  #dropped: string[];
  #options: SubscriberOptions;
  #ingest: Ingest;
  #log: Logger;
  #url: URL;
  #socket: Socket | undefined;
  #generation = 0;
  #acks: PendingAck[] = [];
  #subscribed = false;
  #closing = false;
  #retryMs: number;
  #retryFirstMs: number;
  #retryMaxMs: number;
  #offlineSince: number | undefined;
  #offlineLoggedAt = 0;
  #attempts = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #lastHeardMs = 0;
  #nextPacketId = 0;
  #acknowledged = 0;
  #flushQueued = false;
  #onSubscribed: (() => void) | undefined;
  #onFirstError: ((error: Error) => void) | undefined;

  constructor(options: SubscriberOptions, ingest: Ingest, log: Logger) {
    this.#options = options;
    this.#retryMs = this.#retryFirstMs = options.retry?.firstMs ?? RETRY_FIRST_MS;
    this.#retryMaxMs = options.retry?.maxMs ?? RETRY_MAX_MS;
    this.#ingest = ingest;
    this.#log = log;
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new Error("MQTT_URL is not a URL (expected mqtt://host:port or mqtts://host:port)");
    }
    if (url.protocol !== "mqtt:" && url.protocol !== "mqtts:") {
      throw new Error(`the ingest connects over mqtt:// or mqtts://, not ${url.protocol}//`);
    }
    this.#url = url;
    const prefix = options.shareGroup && options.protocolVersion === 5 ? `$share/${options.shareGroup}/` : "";
    this.filters = (options.filters ?? uplinkFilters()).map((filter) => prefix + filter);
    this.#dropped = (options.unsubscribe ?? []).map((filter) => prefix + filter);
  }

  get connected(): boolean {
    return this.#subscribed;
  }

  get acknowledged(): number {
    return this.#acknowledged;
  }

  start(): Promise<void> {
    const timeoutMs = this.#options.firstConnectTimeoutMs ?? FIRST_CONNECT_TIMEOUT_MS;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#closing = true;
        this.#teardown();
        reject(new Error(`could not reach the MQTT broker at ${redactUrl(this.#options.url)} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.#onSubscribed = () => {
        clearTimeout(timer);
        this.#onFirstError = undefined;
        resolve();
      };
      this.#onFirstError = (error) => {
        clearTimeout(timer);
        this.#closing = true;
        this.#teardown();
        reject(error);
      };
      this.#connect();
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    if (!socket) return;
    socket.pause();
    await this.#ingest.idle();
    // Let the resolutions of the last batch run, so their PUBACKs are written before DISCONNECT.
    await new Promise((resolve) => setImmediate(resolve));
    // The connection may have dropped while the last batch was stored: then "close" has fired already.
    const closed = socket.destroyed ? Promise.resolve() : new Promise<void>((resolve) => socket.once("close", () => resolve()));
    this.#send({ cmd: "disconnect" });
    socket.end();
    const timer = setTimeout(() => socket.destroy(), 2000);
    await closed;
    clearTimeout(timer);
  }

  #connect(): void {
    const { hostname, port, protocol } = this.#url;
    const secure = protocol === "mqtts:";
    const socket = secure
      ? tlsConnect({ host: hostname, port: Number(port || 8883), servername: hostname })
      : netConnect({ host: hostname, port: Number(port || 1883) });
    // PUBACKs are tiny and must go at once, not wait on Nagle's algorithm for the broker's ACK.
    socket.setNoDelay(true);
    this.#socket = socket;
    const generation = ++this.#generation;
    const parser = mqttParser({ protocolVersion: this.#options.protocolVersion });
    parser.on("packet", (packet: Packet) => this.#receive(packet, generation));
    parser.on("error", (error: Error) => {
      this.#log("warn", "ingest received a malformed MQTT packet; reconnecting", { error: error.message });
      socket.destroy();
    });
    socket.on(secure ? "secureConnect" : "connect", () => this.#sendConnect());
    const reader = new PacedReader(
      socket,
      (piece) => parser.parse(piece),
      this.#options.turnBudgetMs ?? TURN_BUDGET_MS,
      () => this.#closing || generation !== this.#generation,
      this.#options.holdReading,
    );
    socket.on("data", (chunk: Buffer) => {
      this.#lastHeardMs = Date.now();
      reader.take(chunk);
    });
    socket.on("error", (error) => {
      if (!this.#closing) this.#log("warn", "ingest connection error", { error: error.message });
    });
    socket.on("close", () => this.#lost(generation));
  }

  #sendConnect(): void {
    const { protocolVersion, clientId, username, password } = this.#options;
    const keepalive = this.#options.keepAliveSeconds ?? 30;
    this.#send({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion,
      clientId,
      clean: false,
      keepalive,
      username,
      password: password === undefined ? undefined : Buffer.from(password),
      properties:
        protocolVersion === 5
          ? { sessionExpiryInterval: this.#options.sessionExpirySeconds ?? 7 * 24 * 3600, receiveMaximum: this.#options.receiveMaximum ?? 2000 }
          : undefined,
    });
    this.#lastHeardMs = Date.now();
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      // MQTT keepalive: the broker expects a packet within 1.5× keepalive; so do we (its PINGRESP).
      if (Date.now() - this.#lastHeardMs > keepalive * 1500) {
        this.#log("warn", "ingest heard nothing from the broker within 1.5× keepalive; reconnecting");
        this.#socket?.destroy();
        return;
      }
      this.#send({ cmd: "pingreq" });
    }, (keepalive * 1000) / 2);
  }

  #receive(packet: Packet, generation: number): void {
    if (generation !== this.#generation) return;
    switch (packet.cmd) {
      case "connack":
        return this.#connack(packet);
      case "suback":
        return this.#suback(packet);
      case "publish":
        return this.#publish(packet, generation);
      case "disconnect":
        this.#log("warn", "broker disconnected the ingest", { reason: packet.reasonCode ?? 0, detail: packet.properties?.reasonString ?? "" });
        return;
      default:
        return;
    }
  }

  #connack(packet: IConnackPacket): void {
    const code = packet.reasonCode ?? packet.returnCode ?? 0;
    if (code !== 0) {
      const error = new Error(`the MQTT broker refused the ingest's connection (reason ${code}${packet.properties?.reasonString ? `: ${packet.properties.reasonString}` : ""})`);
      if (this.#onFirstError) return this.#onFirstError(error);
      this.#log("error", error.message);
      this.#socket?.destroy();
      return;
    }
    this.#retryMs = this.#retryFirstMs;
    if (this.#offlineSince !== undefined) {
      this.#log("info", "ingest back online", { broker: redactUrl(this.#options.url), offlineMs: Date.now() - this.#offlineSince, attempts: this.#attempts });
      this.#offlineSince = undefined;
    }
    // Subscribing again on a present session is harmless and covers a session the broker lost.
    // MQTT 5's Retain Handling 1: retained messages only for a subscription the session did not
    // hold. With 0, every reconnect was sent every node's retained status again (10,000 messages
    // in bench:storm, at the broker's busiest moment); what changed meanwhile waits in the session.
    const retain = this.#options.protocolVersion === 5 ? { rh: 1 } : {};
    this.#send({ cmd: "subscribe", messageId: this.#packetId(), subscriptions: this.filters.map((topic) => ({ topic, qos: 1, ...retain })) });
    if (this.#dropped.length) this.#send({ cmd: "unsubscribe", messageId: this.#packetId(), unsubscriptions: this.#dropped });
  }

  #suback(packet: ISubackPacket): void {
    // SUBACK return codes (3.1.1) and reason codes (5): 0x80 and above refuse the subscription.
    const refused = (packet.granted as Array<number | { qos: number }>).filter((granted) => (typeof granted === "number" ? granted : granted.qos) >= 0x80);
    if (refused.length > 0) {
      const error = new Error(`the MQTT broker refused the ingest's subscriptions (${refused.length} of ${packet.granted.length}); check its ACL`);
      if (this.#onFirstError) return this.#onFirstError(error);
      this.#log("error", error.message);
      return;
    }
    this.#subscribed = true;
    this.#onSubscribed?.();
    this.#onSubscribed = undefined;
  }

  #publish(packet: IPublishPacket, generation: number): void {
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    if (packet.qos === 0) {
      void this.#ingest.handle(packet.topic, payload);
      return;
    }
    const pending: PendingAck = { messageId: packet.messageId ?? 0, stored: false };
    this.#acks.push(pending);
    this.#ingest.handle(packet.topic, payload).then((outcome) => {
      if (generation !== this.#generation) return;
      if (outcome === "failed") {
        // No PUBACK: drop the connection, and the broker delivers it again after the reconnect.
        this.#socket?.destroy();
        return;
      }
      pending.stored = true;
      this.#scheduleFlush();
    });
  }

  /**
   * One flush for all the messages a batch settled: their resolutions run one after another in the
   * same microtask checkpoint, and a flush per resolution wrote a thousand 4-byte PUBACKs one at a
   * time per batch (bench:ingest: the writes and the scans were a tenth of the ingest's time).
   */
  #scheduleFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.#flushAcks();
    });
  }

  #flushAcks(): void {
    const socket = this.#socket;
    if (!socket) return;
    let ready = 0;
    while (ready < this.#acks.length && this.#acks[ready].stored) ready++;
    if (ready === 0) return;
    // A success PUBACK is four bytes in 3.1.1 and in 5 (reason code 0 and no properties may be
    // omitted, v5 §3.4.2.1): type, remaining length 2, packet id. One write for the lot.
    const packets = Buffer.allocUnsafe(ready * 4);
    for (let i = 0; i < ready; i++) {
      const { messageId } = this.#acks[i];
      packets[i * 4] = 0x40;
      packets[i * 4 + 1] = 0x02;
      packets.writeUInt16BE(messageId, i * 4 + 2);
    }
    this.#acks.splice(0, ready);
    socket.write(packets);
    this.#acknowledged += ready;
  }

  #lost(generation: number): void {
    if (generation !== this.#generation) return;
    this.#generation++;
    this.#acks = [];
    this.#subscribed = false;
    this.#socket = undefined;
    clearInterval(this.#pingTimer);
    if (this.#closing) return;
    const delayMs = Math.floor(this.#retryMs * (0.5 + Math.random() * 0.5));
    this.#retryMs = Math.min(this.#retryMs * 2, this.#retryMaxMs);
    const at = Date.now();
    if (this.#offlineSince === undefined) {
      this.#offlineSince = at;
      this.#attempts = 0;
    }
    this.#attempts++;
    if (this.#attempts === 1 || at - this.#offlineLoggedAt >= OFFLINE_LOG_EVERY_MS) {
      this.#offlineLoggedAt = at;
      this.#log("warn", "ingest offline; reconnecting", { broker: redactUrl(this.#options.url), inMs: delayMs, attempts: this.#attempts });
    }
    this.#retryTimer = setTimeout(() => this.#connect(), delayMs);
  }

  #teardown(): void {
    clearTimeout(this.#retryTimer);
    clearInterval(this.#pingTimer);
    this.#socket?.destroy();
  }

  #send(packet: Packet): void {
    this.#socket?.write(generate(packet, { protocolVersion: this.#options.protocolVersion }));
  }

  #packetId(): number {
    this.#nextPacketId = this.#nextPacketId === 65535 ? 1 : this.#nextPacketId + 1;
    return this.#nextPacketId;
  }
}

/**
 * Hands a socket's bytes to the parser a few kilobytes at a time, within a time budget per turn
 * of the event loop. libuv reads a ready socket up to 32 times 64 KB in one go, and the parser
 * handles every packet of a read at once: a flood of 10,000 small alarms or a reconnecting
 * fleet's backlog arriving together was one task of 100–150 ms (bench:flood, CPU profile of the
 * stalls: mqtt-packet's parse and the ingest's handle under onStreamRead), in which no API
 * answer, PUBACK or incident step could run. Past the budget the socket is paused (TCP's window
 * then holds the broker back) and the rest is fed on the next turn. Not a stream Transform:
 * the budget is time spent, which only the consumer knows, and pausing must reach the socket.
 */
export class PacedReader {
  #socket: Socket;
  #feed: (piece: Buffer) => void;
  #budgetMs: number;
  #stopped: () => boolean;
  #backlog: Buffer[] = [];
  #scheduled = false;
  #paused = false;
  #hold: (() => Promise<void> | undefined) | undefined;
  #heldLast = false;

  constructor(socket: Socket, feed: (piece: Buffer) => void, budgetMs: number, stopped: () => boolean, hold?: () => Promise<void> | undefined) {
    this.#socket = socket;
    this.#feed = feed;
    this.#budgetMs = budgetMs;
    this.#stopped = stopped;
    this.#hold = hold;
  }

  take(chunk: Buffer): void {
    this.#backlog.push(chunk);
    if (!this.#scheduled) this.#drain();
  }

  #drain(): void {
    this.#scheduled = false;
    if (this.#stopped()) {
      this.#backlog = [];
      return;
    }
    // Never two holds in a row: one turn's reading between them keeps the session moving (and its
    // keepalive heard) however long the urgent work lasts.
    const held = this.#heldLast ? undefined : this.#hold?.();
    this.#heldLast = held !== undefined;
    if (held) {
      this.#pause();
      this.#scheduled = true;
      void held.then(() => this.#drain());
      return;
    }
    const started = performance.now();
    while (this.#backlog.length > 0 && performance.now() - started < this.#budgetMs) {
      const head = this.#backlog[0];
      if (head.length <= FEED_BYTES) {
        this.#backlog.shift();
        this.#feed(head);
      } else {
        this.#backlog[0] = head.subarray(FEED_BYTES);
        this.#feed(head.subarray(0, FEED_BYTES));
      }
      if (this.#stopped()) {
        this.#backlog = [];
        return;
      }
    }
    if (this.#backlog.length > 0) {
      this.#pause();
      this.#scheduled = true;
      setImmediate(() => this.#drain());
    } else if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#socket.pause();
  }
}

/** Drops any user:password from a URL (or each of a comma-separated list) before it is shown. */
export function redactUrl(url: string): string {
  if (url.includes(",")) return url.split(",").map((entry) => redactUrl(entry.trim())).join(",");
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "(invalid url)";
  }
}
