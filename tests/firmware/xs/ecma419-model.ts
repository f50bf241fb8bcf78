import type { Ecma419MqttClient, Ecma419MqttOptions, Ecma419MqttWriteOptions, MqttProvider } from "../../../firmware/platform/esp32/ecma419-mqtt-client";

/**
 * A model of the Moddable SDK's ECMA-419 MQTT client (examples/io/tcp/mqttclient, SDK 8.2.3) and of
 * a broker's MQTT 3.1.1 sessions, for testing the ESP32 wrapper inside XS without the SDK.
 *
 * The client keeps the SDK's contract where the wrapper meets it: `write` before the CONNACK, or
 * a packet larger than the room left in the socket, throws (the SDK throws "overflow"); `write`
 * returns the room left less the SDK's 8 bytes of overhead, and `onWritable` reports the same
 * once the socket has drained; a PUBLISH may go in fragments (first write with the payload's
 * `byteLength`, the rest as bare writes, and any other write meanwhile throws); after
 * `onError` the client is closed and any later `write` throws; and closing it inside its own
 * `onReadable` throws once that returns, as the SDK's parser then reads a socket that is gone. The broker keeps a session per
 * client id unless the CONNECT asked for a clean one (MQTT 3.1.1 §3.1.2.4): its subscriptions,
 * and QoS 1 messages published to them while the client is away.
 */
const OVERHEAD = 8;
const CONNACK = 2;
const PUBLISH = 3;
const PUBACK = 4;
const SUBSCRIBE = 8;

export interface BrokerPublish {
  topic: string;
  payload: string;
  qos: number;
  id: number;
  retain: boolean;
  /** Writes it took to send. */
  fragments: number;
}

interface Session {
  subscriptions: Set<string>;
  queued: Array<{ topic: string; payload: string }>;
  clean: boolean;
}

export class ModelBroker {
  /** Every complete PUBLISH received, in order. */
  readonly received: BrokerPublish[] = [];
  readonly connects: Array<{ id: string; clean: boolean }> = [];
  readonly sessions = new Map<string, Session>();
  /** Times a write was refused for want of room (the wrapper should never try). */
  overflows = 0;
  clients: ModelClient[] = [];

  /** The newest client, the one the wrapper is talking to. */
  get client(): ModelClient {
    return this.clients[this.clients.length - 1];
  }

  /** The socket connects: the CONNECT goes out, the CONNACK comes back, then the first `onWritable`. */
  accept(client: ModelClient, sendBufferBytes: number): void {
    const options = client.options;
    this.connects.push({ id: options.id, clean: options.clean });
    let session = this.sessions.get(options.id);
    if (options.clean || !session) {
      session = { subscriptions: new Set(), queued: [], clean: options.clean };
      this.sessions.set(options.id, session);
    }
    session.clean = options.clean;
    client.capacity = sendBufferBytes;
    client.room = sendBufferBytes;
    client.state = "connected";
    client.options.onControl.call(client, { operation: CONNACK, returnCode: 0 });
    if (client.state === "connected" && client.room > OVERHEAD) client.options.onWritable?.call(client, client.room - OVERHEAD);
    const queued = session.queued.splice(0);
    for (const message of queued) this.#deliver(client, message.topic, message.payload);
  }

  /** The cloud publishes QoS 1 to a topic: live subscribers get it now, persistent sessions away keep it. */
  publish(topic: string, payload: string): void {
    for (const [id, session] of this.sessions) {
      if (!session.subscriptions.has(topic)) continue;
      const live = this.clients.find((c) => c.options.id === id && c.state !== "closed");
      if (live) this.#deliver(live, topic, payload);
      else if (!session.clean) session.queued.push({ topic, payload });
    }
  }

  /** Acknowledges every QoS 1 publish received and not yet acknowledged. */
  acknowledgeAll(): number {
    let count = 0;
    const client = this.client;
    for (const message of this.received) {
      if (message.qos === 0 || acked.has(message)) continue;
      acked.add(message);
      if (client.state === "closed") continue;
      client.options.onControl.call(client, { operation: PUBACK, id: message.id });
      count++;
    }
    return count;
  }

  /** The connection drops (Wi-Fi lost, broker gone): the SDK reports `onError` and closes. */
  drop(): void {
    const client = this.client;
    client.options.onError.call(client);
    client.close();
    const session = this.sessions.get(client.options.id);
    if (session?.clean) this.sessions.delete(client.options.id);
  }

  onPublish(client: ModelClient, message: BrokerPublish): void {
    this.received.push(message);
  }

  onSubscribe(client: ModelClient, topic: string): void {
    this.sessions.get(client.options.id)?.subscriptions.add(topic);
  }

  #deliver(client: ModelClient, topic: string, payload: string): void {
    const bytes = new TextEncoder().encode(payload);
    client.inbound = bytes;
    client.options.onReadable.call(client, bytes.byteLength, { topic, QoS: 1, byteLength: bytes.byteLength, more: false });
    // The SDK's parser reads on from its socket once onReadable returns; closed meanwhile, the socket's host data is gone.
    if (client.state === "closed") throw new TypeError("xsGetHostData: invalid host data");
  }
}

const acked = new WeakSet<BrokerPublish>();

export class ModelClient implements Ecma419MqttClient {
  state: "connecting" | "connected" | "publishing" | "closed" = "connecting";
  capacity = 0;
  /** Bytes the socket can take now. */
  room = 0;
  inbound: Uint8Array | undefined;
  #fragment: BrokerPublish | undefined;
  #remaining = 0;
  #parts: Uint8Array[] = [];

  constructor(
    readonly options: Ecma419MqttOptions,
    readonly broker: ModelBroker,
  ) {
    broker.clients.push(this);
  }

  write(data: ArrayBuffer | null, options?: Ecma419MqttWriteOptions): number {
    if (this.state === "closed") throw new TypeError("cannot read property 'format' of undefined");
    if (this.state === "publishing") {
      if (options || !data || data.byteLength > this.#remaining) throw new Error();
      this.#take(data.byteLength);
      this.#parts.push(new Uint8Array(data.slice(0)));
      this.#remaining -= data.byteLength;
      this.#fragment!.fragments++;
      if (this.#remaining === 0) this.#completePublish();
      return this.#left();
    }
    if (this.state !== "connected") throw new Error();
    const operation = options?.operation ?? PUBLISH;
    if (operation === SUBSCRIBE) {
      const items = options!.items!;
      let payload = 2;
      for (const item of items) payload += 2 + utf8Length(item.topic) + 1;
      this.#take(1 + remainingLengthSize(payload) + payload);
      for (const item of items) this.broker.onSubscribe(this, item.topic);
      return this.#left();
    }
    if (operation !== PUBLISH) throw new Error("unknown");
    const topic = options!.topic!;
    const qos = options!.QoS ?? 0;
    const total = options!.byteLength ?? data!.byteLength;
    if (data!.byteLength > total) throw new Error("invalid");
    const variable = 2 + utf8Length(topic) + (qos ? 2 : 0);
    this.#take(1 + remainingLengthSize(variable + total) + variable + data!.byteLength);
    this.#fragment = { topic, payload: "", qos, id: qos ? (options!.id ?? 0) : 0, retain: options!.retain ?? false, fragments: 1 };
    this.#parts = [new Uint8Array(data!.slice(0))];
    this.#remaining = total - data!.byteLength;
    if (this.#remaining > 0) this.state = "publishing";
    else this.#completePublish();
    return this.#left();
  }

  read(count: number): ArrayBuffer {
    const bytes = this.inbound!;
    this.inbound = undefined;
    return bytes.slice(0, count).buffer as ArrayBuffer;
  }

  close(): void {
    this.state = "closed";
  }

  /** The socket sends what it holds; the client reports the room as the SDK does. */
  drain(): void {
    if (this.state === "closed") return;
    this.room = this.capacity;
    if (this.room > OVERHEAD) this.options.onWritable?.call(this, this.room - OVERHEAD);
  }

  #take(bytes: number): void {
    if (bytes > this.room) {
      this.broker.overflows++;
      throw new Error("overflow");
    }
    this.room -= bytes;
  }

  #left(): number {
    return this.room > OVERHEAD ? this.room - OVERHEAD : 0;
  }

  #completePublish(): void {
    const message = this.#fragment!;
    let length = 0;
    for (const part of this.#parts) length += part.byteLength;
    const whole = new Uint8Array(length);
    let at = 0;
    for (const part of this.#parts) {
      whole.set(part, at);
      at += part.byteLength;
    }
    message.payload = new TextDecoder().decode(whole);
    this.#fragment = undefined;
    this.#parts = [];
    this.state = "connected";
    this.broker.onPublish(this, message);
  }
}

/** The provider the wrapper receives as `device.network.mqtt`, building model clients on one broker. */
export function modelProvider(broker: ModelBroker): MqttProvider {
  class Client extends ModelClient {
    static readonly CONNACK = CONNACK;
    static readonly PUBLISH = PUBLISH;
    static readonly PUBACK = PUBACK;
    static readonly SUBSCRIBE = SUBSCRIBE;
    constructor(options: Ecma419MqttOptions) {
      super(options, broker);
    }
  }
  return { io: Client, dns: {}, socket: { io: {} } };
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

function remainingLengthSize(length: number): number {
  return length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4;
}
