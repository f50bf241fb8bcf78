import type { MqttConnectOptions, MqttSession } from "../../ports/mqtt";
import type { Ecma419MqttClient, MqttProvider } from "./ecma419-mqtt-client";

/**
 * The node's MQTT session on the ESP32, over the SDK's ECMA-419 client (QoS 1 with PUBACK ids;
 * the classic `mqtt` module is QoS 0 only). The client does not reconnect by itself: every
 * error or close is reported once through `onDisconnected`, and the link session decides when
 * to try again.
 */
export class Ecma419Mqtt implements MqttSession {
  onConnected: () => void = () => {};
  onPublished: (packetId: number) => void = () => {};
  onMessage: (topic: string, payload: string) => void = () => {};
  onDisconnected: (reason: string) => void = () => {};
  #provider: MqttProvider;
  #host: string;
  #port: number;
  #client: Ecma419MqttClient | undefined;
  #nextPacketId = 0;
  #inbound: ArrayBuffer[] = [];
  #inboundTopic = "";

  constructor(provider: MqttProvider, host: string, port: number) {
    this.#provider = provider;
    this.#host = host;
    this.#port = port;
  }

  connect(options: MqttConnectOptions): void {
    this.#drop();
    const session = this;
    const provider = this.#provider;
    const Client = provider.io;
    let reported = false;
    const lost = (client: Ecma419MqttClient, reason: string) => {
      if (reported || session.#client !== client) return;
      reported = true;
      session.#client = undefined;
      session.onDisconnected(reason);
    };
    this.#client = new Client({
      ...provider,
      host: this.#host,
      port: this.#port,
      id: options.clientId,
      user: options.username,
      password: options.password === undefined ? undefined : ArrayBuffer.fromString(options.password),
      clean: true,
      keepalive: options.keepAliveMs,
      will: options.will && { topic: options.will.topic, message: ArrayBuffer.fromString(options.will.payload), QoS: options.will.qos, retain: options.will.retain },
      // Alarms are small: send each segment at once rather than behind Nagle's algorithm.
      socket: { ...provider.socket, nodelay: true },
      onControl(message) {
        if (message.operation === Client.CONNACK) session.onConnected();
        else if (message.operation === Client.PUBACK && message.id !== undefined) session.onPublished(message.id);
      },
      onReadable(count, info) {
        if (info.topic !== undefined) {
          session.#inboundTopic = info.topic;
          session.#inbound.length = 0;
        }
        session.#inbound.push(this.read(count));
        if (!info.more) {
          const payload = String.fromArrayBuffer(session.#inbound.length === 1 ? session.#inbound[0] : session.#inbound[0].concat(...session.#inbound.slice(1)));
          session.#inbound.length = 0;
          session.onMessage(session.#inboundTopic, payload);
        }
      },
      onError() {
        lost(this, "connection error");
      },
      onClose() {
        lost(this, "connection closed");
      },
    });
  }

  publish(topic: string, payload: string, qos: 0 | 1, retain = false): number {
    const client = this.#client;
    if (!client) return 0;
    const packetId = qos === 0 ? 0 : this.#allocatePacketId();
    client.write(ArrayBuffer.fromString(payload), packetId ? { topic, QoS: qos, retain, id: packetId } : { topic, QoS: 0, retain });
    return packetId;
  }

  subscribe(filter: string): void {
    this.#client?.write(null, { operation: this.#provider.io.SUBSCRIBE, items: [{ topic: filter, QoS: 1 }] });
  }

  close(): void {
    this.#drop();
  }

  #drop(): void {
    const client = this.#client;
    this.#client = undefined;
    client?.close();
  }

  #allocatePacketId(): number {
    this.#nextPacketId = this.#nextPacketId === 65535 ? 1 : this.#nextPacketId + 1;
    return this.#nextPacketId;
  }
}
