import type { Timers, TimerHandle } from "../ports/clock";
import type { Log } from "../ports/log";
import type { MqttSession } from "../ports/mqtt";
import type { Uplink } from "./uplink";

export interface SessionOptions {
  mqtt: MqttSession;
  uplink: Uplink;
  timers: Timers;
  log: Log;
  firmwareVersion: string;
  credentials: { username?: string; password?: string };
  keepAliveMs: number;
  /** 0 … 1, for backoff jitter; injected so tests are deterministic. */
  random: () => number;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;

/**
 * Keeps the node connected: connects with a last will that marks it offline, announces itself
 * online (retained), and after a drop retries with exponential backoff and full jitter so that a
 * building whose power returns does not reconnect all at once.
 */
export class LinkSession {
  #options: SessionOptions;
  #retryMs = FIRST_RETRY_MS;
  #retryTimer: TimerHandle | undefined;
  #closed = false;

  constructor(options: SessionOptions) {
    this.#options = options;
    const { mqtt, uplink } = options;
    mqtt.onConnected = () => {
      this.#retryMs = FIRST_RETRY_MS;
      const online = uplink.status({ online: true, firmware: options.firmwareVersion });
      mqtt.publish(online.topic, online.payload, 1, true);
      uplink.onConnected();
      options.log("info", `connected as ${uplink.nodeId} (boot ${uplink.bootId})`);
    };
    mqtt.onPublished = (packetId) => uplink.onPublished(packetId);
    mqtt.onMessage = () => {};
    mqtt.onDisconnected = (reason) => {
      uplink.onDisconnected();
      if (this.#closed) return;
      const delayMs = Math.floor(this.#retryMs * (0.5 + 0.5 * options.random()));
      options.log("warn", `disconnected (${reason}); retrying in ${delayMs} ms`);
      this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
      this.#retryTimer = options.timers.set(() => this.#connect(), delayMs);
    };
  }

  start(): void {
    this.#connect();
  }

  close(): void {
    this.#closed = true;
    this.#options.timers.clear(this.#retryTimer);
    this.#options.mqtt.close();
  }

  #connect(): void {
    const { mqtt, uplink, credentials, keepAliveMs, firmwareVersion } = this.#options;
    const will = uplink.status({ online: false, firmware: firmwareVersion });
    mqtt.connect({
      clientId: uplink.nodeId,
      username: credentials.username,
      password: credentials.password,
      keepAliveMs,
      will: { topic: will.topic, payload: will.payload, qos: 1, retain: true },
    });
  }
}
