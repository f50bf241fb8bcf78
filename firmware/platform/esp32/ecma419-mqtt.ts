import { bytesText, textBytes } from "../../ota/text-bytes";
import type { MqttConnectOptions, MqttSession } from "../../ports/mqtt";
import type { Ecma419MqttClient, MqttProvider } from "./ecma419-mqtt-client";

/**
 * Packets taken but not yet written, waiting for the client's `onWritable`. On a connection the
 * session queues its status, its subscriptions and a window of outbox entries at once, before
 * the CONNACK's first `onWritable` says how much fits; past this the session says no (QoS 1
 * returns 0, and the uplink waits for a PUBACK), so a stalled socket cannot grow the heap.
 */
const MAX_WAITING = 24;
/** QoS 0 (telemetry, heartbeats, chunk requests) is droppable: it waits only while the queue is short. */
const MAX_WAITING_QOS0 = 8;

interface Waiting {
  topic: string;
  /** Unused for a subscription. */
  payload: string;
  qos: 0 | 1;
  retain: boolean;
  /** The packet id; 0 for QoS 0. */
  id: number;
  subscribe: boolean;
  /** Encoded when it reaches the head of the queue, so waiting costs no more than the string. */
  bytes: ArrayBuffer | undefined;
  topicLength: number;
  /** Payload bytes already written, for a PUBLISH sent in fragments. */
  offset: number;
}

/**
 * The node's MQTT session on the ESP32, over the SDK's ECMA-419 client (QoS 1 with PUBACK ids;
 * the classic `mqtt` module is QoS 0 only). The client does not reconnect by itself: every
 * error or close is reported once through `onDisconnected`, and the link session decides when
 * to try again.
 *
 * Every packet goes through one FIFO and is written only as far as the client's `writable`
 * allows (ECMA-419 §9.3: `write` beyond it throws); a PUBLISH larger than the room left goes in
 * fragments, and the rest follows on `onWritable`. With `persistentSession` the connection keeps
 * the broker's session (CleanSession 0), so commands sent while the node was away arrive when
 * it is back.
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
  #connected = false;
  /** Bytes the client can take now, as its last `onWritable` or `write` said. */
  #writable = 0;
  #waiting: Waiting[] = [];
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
    this.#client = new Client({
      ...provider,
      host: this.#host,
      port: this.#port,
      id: options.clientId,
      user: options.username,
      password: options.password === undefined ? undefined : bufferOf(options.password),
      clean: !options.persistentSession,
      keepalive: options.keepAliveMs,
      will: options.will && { topic: options.will.topic, message: bufferOf(options.will.payload), QoS: options.will.qos, retain: options.will.retain },
      // Alarms are small: send each segment at once rather than behind Nagle's algorithm.
      socket: { ...provider.socket, nodelay: true },
      onControl(message) {
        if (session.#client !== this) return;
        if (message.operation === Client.CONNACK) {
          session.#connected = true;
          session.onConnected();
        } else if (message.operation === Client.PUBACK && message.id !== undefined) session.onPublished(message.id);
      },
      onWritable(count) {
        if (session.#client !== this) return;
        session.#writable = count;
        session.#flush();
      },
      onReadable(count, info) {
        if (session.#client !== this) return;
        if (info.topic !== undefined) {
          session.#inboundTopic = info.topic;
          session.#inbound.length = 0;
        }
        session.#inbound.push(this.read(count));
        if (!info.more) {
          const payload = bytesText(joined(session.#inbound));
          session.#inbound.length = 0;
          session.onMessage(session.#inboundTopic, payload);
        }
      },
      onError() {
        session.#lost(this, "connection error");
      },
      onClose() {
        session.#lost(this, "connection closed");
      },
    });
  }

  publish(topic: string, payload: string, qos: 0 | 1, retain = false): number {
    if (!this.#connected) return 0;
    const waiting = this.#waiting.length;
    if (waiting >= (qos === 0 ? MAX_WAITING_QOS0 : MAX_WAITING)) return 0;
    const id = qos === 0 ? 0 : this.#allocatePacketId();
    this.#waiting.push({ topic, payload, qos, retain, id, subscribe: false, bytes: undefined, topicLength: 0, offset: 0 });
    this.#flush();
    return id;
  }

  subscribe(filter: string): void {
    // A subscription not taken now is made again on the next connection, and a persistent
    // session keeps the ones made before.
    if (!this.#connected || this.#waiting.length >= MAX_WAITING) return;
    this.#waiting.push({ topic: filter, payload: "", qos: 1, retain: false, id: this.#allocatePacketId(), subscribe: true, bytes: undefined, topicLength: 0, offset: 0 });
    this.#flush();
  }

  close(): void {
    this.#drop();
  }

  /** Writes from the head of the queue for as long as the client has room. */
  #flush(): void {
    const client = this.#client;
    const waiting = this.#waiting;
    try {
      while (client && this.#client === client && waiting.length > 0) {
        const head = waiting[0];
        head.topicLength ||= textBytes(head.topic).byteLength;
        if (head.subscribe) {
          if (subscribeSize(head.topicLength) > this.#writable) return;
          this.#writable = client.write(null, { operation: this.#provider.io.SUBSCRIBE, id: head.id, items: [{ topic: head.topic, QoS: 1 }] });
          waiting.shift();
          continue;
        }
        head.bytes ??= bufferOf(head.payload);
        const bytes = head.bytes;
        const total = bytes.byteLength;
        if (head.offset === 0) {
          const room = this.#writable - publishHeaderSize(head.topicLength, head.qos, total);
          if (room < 0 || (room === 0 && total > 0)) return;
          const length = Math.min(total, room);
          const options = head.qos === 0
            ? { topic: head.topic, QoS: 0, retain: head.retain, byteLength: total }
            : { topic: head.topic, QoS: head.qos, retain: head.retain, id: head.id, byteLength: total };
          this.#writable = client.write(length === total ? bytes : bytes.slice(0, length), options);
          head.offset = length;
        } else {
          if (this.#writable <= 0) return;
          const length = Math.min(total - head.offset, this.#writable);
          this.#writable = client.write(bytes.slice(head.offset, head.offset + length));
          head.offset += length;
        }
        if (head.offset < total) return;
        waiting.shift();
      }
    } catch (error) {
      // The client throws only if the socket went away under it: the connection is lost, and
      // whatever was waiting goes again after the reconnection, from the outbox.
      if (client) this.#lost(client, `write failed (${(error as Error).message})`);
    }
  }

  #lost(client: Ecma419MqttClient, reason: string): void {
    if (this.#client !== client) return;
    this.#reset();
    this.onDisconnected(reason);
  }

  #drop(): void {
    const client = this.#client;
    this.#reset();
    // Closed once the client's own callback has returned, never inside it: the SDK's parser goes on
    // reading its socket after `onReadable` returns (a claim closes its connection from the answer's
    // onMessage), and a socket closed under it throws "invalid host data" and aborts XS.
    if (client) Promise.resolve().then(() => client.close());
  }

  #reset(): void {
    this.#client = undefined;
    this.#connected = false;
    this.#writable = 0;
    this.#waiting.length = 0;
    this.#inbound.length = 0;
  }

  #allocatePacketId(): number {
    this.#nextPacketId = this.#nextPacketId === 65535 ? 1 : this.#nextPacketId + 1;
    return this.#nextPacketId;
  }
}

/** MQTT 3.1.1 §2.2.3: the Remaining Length field takes 1 to 4 bytes. */
function remainingLengthSize(length: number): number {
  return length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4;
}

/** Bytes of a PUBLISH before its payload (§3.3): fixed header, topic with its length, packet id. */
function publishHeaderSize(topicLength: number, qos: 0 | 1, payloadLength: number): number {
  const variable = 2 + topicLength + (qos === 0 ? 0 : 2);
  return 1 + remainingLengthSize(variable + payloadLength) + variable;
}

/** A SUBSCRIBE for one filter (§3.8): fixed header, packet id, filter with its length, QoS. */
function subscribeSize(topicLength: number): number {
  const remaining = 2 + 2 + topicLength + 1;
  return 1 + remainingLengthSize(remaining) + remaining;
}

function bufferOf(text: string): ArrayBuffer {
  const bytes = textBytes(text);
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
}

function joined(parts: ArrayBuffer[]): Uint8Array {
  if (parts.length === 1) return new Uint8Array(parts[0]);
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const whole = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    whole.set(new Uint8Array(part), at);
    at += part.byteLength;
  }
  return whole;
}
