import { encodeMessage } from "../../shared/codec";
import type { AckMessage, EventMessage } from "../../shared/events";
import type { AlarmMessage, NodeHeader, NodeMessage, StatusMessage, TelemetryMessage } from "../../shared/messages";
import { CHANNEL_OF } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";
import type { Clock } from "../ports/clock";
import type { MqttSession } from "../ports/mqtt";

type Body<M> = Omit<M, keyof NodeHeader | "type">;

interface Pending {
  topic: string;
  payload: string;
  packetId: number;
}

/**
 * Stamps each message with the node's header (id, boot, next seq, uptime) and sends it.
 * Alarms go QoS 1 and stay queued, in order, until the broker's PUBACK; on reconnect the queue is
 * sent again, and the cloud drops any copy it already has by (node, boot, seq). Telemetry goes
 * QoS 0 and only while connected.
 */
export class Uplink {
  readonly nodeId: string;
  readonly bootId: number;
  #seq = 0;
  #connected = false;
  #queue: Pending[] = [];
  #mqtt: MqttSession;
  #clock: Clock;

  constructor(options: { nodeId: string; bootId: number; mqtt: MqttSession; clock: Clock }) {
    this.nodeId = options.nodeId;
    this.bootId = options.bootId;
    this.#mqtt = options.mqtt;
    this.#clock = options.clock;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get connected(): boolean {
    return this.#connected;
  }

  alarm(body: Body<AlarmMessage>): void {
    const message = this.#stamp({ type: "alarm", ...body } as AlarmMessage);
    const pending: Pending = { topic: nodeTopic(this.nodeId, "alarm"), payload: encodeMessage(message), packetId: 0 };
    this.#queue.push(pending);
    if (this.#connected) pending.packetId = this.#mqtt.publish(pending.topic, pending.payload, 1);
  }

  /** A state event (lock held, AED removed): QoS 1, queued in order with the alarms. */
  event(body: Body<EventMessage>): void {
    this.#sendQueued(this.#stamp({ type: "event", ...body } as EventMessage));
  }

  /** The result of a command: QoS 1, queued in order with the alarms and events. */
  ack(body: Body<AckMessage>): void {
    this.#sendQueued(this.#stamp({ type: "ack", ...body } as AckMessage));
  }

  telemetry(body: Body<TelemetryMessage>): void {
    if (!this.#connected) return;
    const message = this.#stamp({ type: "telemetry", ...body } as TelemetryMessage);
    this.#mqtt.publish(nodeTopic(this.nodeId, "telemetry"), encodeMessage(message), 0);
  }

  /** The retained status message; the same shape, with online false, is the connection's last will. */
  status(body: Body<StatusMessage>): { topic: string; payload: string } {
    const message = this.#stamp({ type: "status", ...body } as StatusMessage);
    return { topic: nodeTopic(this.nodeId, CHANNEL_OF.status), payload: encodeMessage(message) };
  }

  onConnected(): void {
    this.#connected = true;
    for (const pending of this.#queue) pending.packetId = this.#mqtt.publish(pending.topic, pending.payload, 1);
  }

  onDisconnected(): void {
    this.#connected = false;
  }

  onPublished(packetId: number): void {
    const index = this.#queue.findIndex((pending) => pending.packetId === packetId);
    if (index >= 0) this.#queue.splice(index, 1);
  }

  #sendQueued(message: EventMessage | AckMessage): void {
    const pending: Pending = { topic: nodeTopic(this.nodeId, CHANNEL_OF[message.type]), payload: encodeMessage(message), packetId: 0 };
    this.#queue.push(pending);
    if (this.#connected) pending.packetId = this.#mqtt.publish(pending.topic, pending.payload, 1);
  }

  #stamp<M extends NodeMessage>(message: M): M {
    message.v = 1;
    message.node = this.nodeId;
    message.boot = this.bootId;
    message.seq = ++this.#seq;
    message.t = Math.floor(this.#clock.now());
    return message;
  }
}
