import { nodeTopic, storedTopic } from "../../shared/topics";
import type { TimerHandle, Timers } from "../ports/clock";
import type { Log } from "../ports/log";
import type { MqttSession } from "../ports/mqtt";
import { Backoff } from "./backoff";
import type { Uplink } from "./uplink";

export interface SessionOptions {
  mqtt: MqttSession;
  uplink: Uplink;
  timers: Timers;
  log: Log;
  firmwareVersion: string;
  credentials: { username?: string; password?: string };
  /** MQTT keepalive: the client pings within it, and the broker fires the will after 1.5× of silence. */
  keepAliveMs: number;
  /** 0 … 1, for jitter; injected so tests are deterministic. */
  random: () => number;
  /** The first connection after boot waits a random 0 … bootSpreadMs, so a building's nodes powering up together do not arrive together. */
  bootSpreadMs?: number;
  backoff?: { firstMs: number; maxMs: number; minMs: number };
  /** Called after each successful connection, once the node's own messages are under way. */
  onConnected?: () => void;
  /** A message on the node's command topic. */
  onCommand?: (topic: string, payload: string) => void;
  /** More topics to subscribe to on each connection (the OTA agent's, under the node's `cmd/` tree). */
  topics?: string[];
  /** A message on one of `topics`. */
  onMessage?: (topic: string, payload: string) => void;
  /** Every PUBACK, after the uplink has taken its own: publishers beside the outbox wait for theirs. */
  onPublished?: (packetId: number) => void;
  onDisconnected?: () => void;
}

/** Reconnection after a drop: first retry within 1 s, ceiling doubling to 2 min. */
export const DEFAULT_BACKOFF = { firstMs: 1000, maxMs: 120_000, minMs: 100 };

/**
 * Keeps the node connected. Each connection carries a last will (retained "offline", stamped with
 * the next seq) and starts by announcing "online" (retained, naming the will's seq so the cloud
 * can tell this connection's will from an older one's), subscribing to the node's command topic
 * and to the cloud's receipts for its alarms, and flushing the outbox. After a drop, or a failed
 * attempt, it retries with exponential backoff and full jitter ({@link Backoff}); the MQTT client
 * never reconnects by itself.
 */
export class LinkSession {
  #options: SessionOptions;
  #backoff: Backoff;
  #retryTimer: TimerHandle | undefined;
  #closed = false;
  #attempts = 0;
  #willSeq = 0;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#backoff = new Backoff({ ...(options.backoff ?? DEFAULT_BACKOFF), random: options.random });
    const { mqtt, uplink } = options;
    const commandTopic = nodeTopic(uplink.nodeId, "cmd");
    const receiptTopic = storedTopic(uplink.nodeId);
    mqtt.onConnected = () => {
      this.#backoff.reset();
      const online = uplink.status({ online: true, firmware: options.firmwareVersion, willSeq: this.#willSeq });
      mqtt.publish(online.topic, online.payload, 1, true);
      mqtt.subscribe(commandTopic);
      mqtt.subscribe(receiptTopic);
      for (const topic of options.topics ?? []) mqtt.subscribe(topic);
      uplink.onConnected();
      options.log("info", `connected as ${uplink.nodeId} (boot ${uplink.bootId}, attempt ${this.#attempts})`);
      options.onConnected?.();
    };
    mqtt.onPublished = (packetId) => {
      uplink.onPublished(packetId);
      options.onPublished?.(packetId);
    };
    mqtt.onMessage = (topic, payload) => {
      if (topic === commandTopic) options.onCommand?.(topic, payload);
      else if (topic === receiptTopic) uplink.onStored(payload);
      else options.onMessage?.(topic, payload);
    };
    mqtt.onDisconnected = (reason) => {
      uplink.onDisconnected();
      options.onDisconnected?.();
      if (this.#closed) return;
      const delayMs = this.#backoff.next();
      options.log("warn", `disconnected (${reason}); retry ${this.#backoff.failures} in ${delayMs} ms`);
      this.#retryTimer = options.timers.set(() => this.#connect(), delayMs);
    };
  }

  /** Connection attempts since boot. */
  get attempts(): number {
    return this.#attempts;
  }

  start(): void {
    const spreadMs = this.#options.bootSpreadMs ?? 0;
    if (spreadMs > 0) this.#retryTimer = this.#options.timers.set(() => this.#connect(), Math.floor(this.#options.random() * spreadMs));
    else this.#connect();
  }

  close(): void {
    this.#closed = true;
    this.#options.timers.clear(this.#retryTimer);
    this.#options.mqtt.close();
  }

  #connect(): void {
    this.#retryTimer = undefined;
    if (this.#closed) return;
    const { mqtt, uplink, credentials, keepAliveMs, firmwareVersion } = this.#options;
    const will = uplink.status({ online: false, firmware: firmwareVersion });
    this.#willSeq = will.seq;
    this.#attempts++;
    mqtt.connect({
      clientId: uplink.nodeId,
      username: credentials.username,
      password: credentials.password,
      keepAliveMs,
      persistentSession: true,
      will: { topic: will.topic, payload: will.payload, qos: 1, retain: true },
    });
  }
}
