import mqtt, { type MqttClient } from "mqtt";
import type { MqttConnectOptions } from "../../../ports/mqtt";

/** What the bridge reports back to the firmware's MQTT session. */
export type MqttBridgeEvent =
  | { event: "connected" }
  | { event: "published"; packetId: number }
  | { event: "message"; topic: string; payload: string }
  | { event: "disconnected"; reason: string };

export interface MqttBridgeOptions {
  brokerUrl: string;
  /** 4 (MQTT 3.1.1) or 5. The firmware's session logic is the same either way. */
  protocolVersion?: 4 | 5;
  notify: (event: MqttBridgeEvent) => void;
  /** Called when the firmware hands a message to MQTT, with the host's clock, for latency measurements. */
  onPublish?: (topic: string, payload: string, atMs: number) => void;
  /** Called at each connection attempt, with the host's clock. */
  onAttempt?: (atMs: number) => void;
}

/**
 * One simulated node's MQTT connection, held by the host for the firmware in XS. The firmware
 * owns the session: the bridge never reconnects by itself (`reconnectPeriod: 0`), it reports
 * what happened and does what it is told. It can also play the radio: with the network down,
 * the live connection drops without a goodbye and every attempt fails.
 */
export class MqttBridge {
  #options: MqttBridgeOptions;
  #client: MqttClient | undefined;
  #networkUp = true;

  constructor(options: MqttBridgeOptions) {
    this.#options = options;
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  get networkUp(): boolean {
    return this.#networkUp;
  }

  /** Wi-Fi lost or back. Losing it cuts the connection as a dead link does: no DISCONNECT, so the broker sends the will. */
  setNetwork(up: boolean): void {
    this.#networkUp = up;
    if (!up) this.#cut();
  }

  connect(options: MqttConnectOptions): void {
    this.#drop();
    this.#options.onAttempt?.(performance.now());
    if (!this.#networkUp) {
      setImmediate(() => this.#options.notify({ event: "disconnected", reason: "network unreachable" }));
      return;
    }
    const client = mqtt.connect(this.#options.brokerUrl, {
      clientId: options.clientId,
      username: options.username,
      password: options.password,
      keepalive: Math.round(options.keepAliveMs / 1000),
      protocolVersion: this.#options.protocolVersion ?? 4,
      // As the device does: the node's own session is kept by the broker, so a command sent while it was away arrives.
      clean: !options.persistentSession,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: options.will && { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: options.will.qos, retain: options.will.retain },
    });
    this.#client = client;
    let reported = false;
    const down = (reason: string) => {
      if (reported || this.#client !== client) return;
      reported = true;
      this.#client = undefined;
      client.end(true);
      this.#options.notify({ event: "disconnected", reason });
    };
    client.on("connect", () => {
      // As the device's socket does (`noDelay`): an alarm must not wait behind Nagle's algorithm
      // for the ACK of an earlier QoS 0 telemetry packet, which costs ~40 ms on Linux.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      this.#options.notify({ event: "connected" });
    });
    client.on("message", (topic, payload) => this.#options.notify({ event: "message", topic, payload: payload.toString("utf8") }));
    client.on("error", (error) => down(error.message));
    client.on("close", () => down("connection closed"));
  }

  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean, packetId: number): void {
    const client = this.#client;
    if (!client?.connected) return; // unacknowledged: the firmware sends it again after reconnecting
    this.#options.onPublish?.(topic, payload, performance.now());
    client.publish(topic, payload, { qos, retain }, (error) => {
      if (!error && qos === 1 && this.#client === client) this.#options.notify({ event: "published", packetId });
    });
  }

  subscribe(filter: string): void {
    this.#client?.subscribe(filter, { qos: 1 });
  }

  /** A clean DISCONNECT: the broker discards the last will, as for a node shut down on purpose. */
  close(): void {
    const client = this.#client;
    this.#client = undefined;
    client?.end(false);
  }

  /** Power cut: the socket goes without a DISCONNECT, so the broker sends the will. Nothing is reported. */
  kill(): void {
    this.#drop();
  }

  /** Ends the connection without a DISCONNECT and without telling the firmware. */
  #drop(): boolean {
    const client = this.#client;
    if (!client) return false;
    this.#client = undefined;
    client.stream?.destroy();
    client.end(true);
    return true;
  }

  /** A dead link, reported once as the firmware's client would report it. */
  #cut(): void {
    if (this.#drop()) setImmediate(() => this.#options.notify({ event: "disconnected", reason: "link lost" }));
  }
}
