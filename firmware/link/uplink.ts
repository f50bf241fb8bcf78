import { encodeMessage } from "../../shared/codec";
import type {
  AckMessage,
  AlarmMessage,
  EventMessage,
  HealthMessage,
  NodeHeader,
  NodeMessage,
  StatusMessage,
  TelemetryMessage,
} from "../../shared/messages";
import { CHANNEL_OF } from "../../shared/messages";
import { PROTOCOL_VERSION } from "../../shared/protocol";
import { decodeReceipt } from "../../shared/receipts";
import { nodeTopic, storedTopic } from "../../shared/topics";
import type { Clock } from "../ports/clock";
import type { Log } from "../ports/log";
import type { MqttSession } from "../ports/mqtt";
import { OUTBOX_ALARM, OUTBOX_EVENT, OUTBOX_TELEMETRY, type Outbox, type OutboxPriority } from "./outbox";

type Body<M> = Omit<M, keyof NodeHeader | "type">;

/** What an elevator or capsule adds to an event: its state after it, and for some events how it came about. */
export type DeviceEventFields = Required<Pick<EventMessage, "state">> & Pick<EventMessage, "durationMs" | "releasedBy" | "cause">;

export interface UplinkOptions {
  nodeId: string;
  bootId: number;
  mqtt: MqttSession;
  clock: Clock;
  outbox: Outbox;
  /** QoS 1 messages sent ahead of their PUBACKs; small, so a reconnect resends little and the client's buffers stay small. */
  maxInFlight?: number;
  /** How long an acknowledged alarm waits for the cloud's receipt before it goes again (doubling each time, to 16×). Default 30 s. */
  receiptWaitMs?: number;
  /** Told once a boot when alarms are let go without a receipt: the cloud's receipts are not reaching this node. */
  log?: Log;
}

/** Default wait for a receipt: the cloud stores and receipts an alarm within a second; 30 s spares a busy one copies. */
const RECEIPT_WAIT_MS = 30_000;
/** Waits double up to this many times the first. */
const RECEIPT_BACKOFF_LIMIT = 16;
/**
 * Until a receipt has come this boot, an alarm the broker acknowledged this many times is let go
 * as before receipts existed: a cloud that sends none (an older one, or its receipts not allowed
 * through) would otherwise keep every alarm in flash and send it for ever.
 */
const ACKS_WITHOUT_RECEIPTS = 3;

/**
 * Stamps each message with the node's header (id, boot, next seq, uptime) and hands it on.
 * Alarms, events and acks are written to the outbox first and sent from it, oldest first, QoS 1,
 * a few at a time; events and acks leave the outbox on their PUBACK, alarms on the cloud's
 * receipt (shared/receipts.ts: the broker's PUBACK says only that the broker has it), and after a
 * reconnect or a reboot whatever is left goes again, in order. The cloud drops any copy it
 * already has by (node, boot, seq). Telemetry goes QoS 0 straight out while the link is up and idle, and waits
 * in the outbox (first to be dropped) while it is not. Health goes only while connected: a stale
 * heartbeat says nothing.
 */
export class Uplink {
  readonly nodeId: string;
  readonly bootId: number;
  readonly outbox: Outbox;
  #seq = 0;
  #connected = false;
  #maxInFlight: number;
  #receiptWaitMs: number;
  /** A receipt came this boot: the cloud sends them, so alarms wait for theirs however long. */
  #receiptsSeen = false;
  #log: Log | undefined;
  #toldNoReceipts = false;
  #receiptDue = (entry: { acks: number }): number => {
    if (!this.#receiptsSeen && entry.acks >= ACKS_WITHOUT_RECEIPTS) {
      if (!this.#toldNoReceipts) {
        this.#toldNoReceipts = true;
        // An installer's clue: a broker whose ACL does not let the node read its cmd/stored, or an older cloud.
        this.#log?.("warn", `no receipt from the cloud this boot: alarms leave the outbox on the broker's PUBACK (can this node read ${storedTopic(this.nodeId)}?)`);
      }
      return 0;
    }
    return this.#clock.now() + this.#receiptWaitMs * Math.min(2 ** (entry.acks - 1), RECEIPT_BACKOFF_LIMIT);
  };
  #mqtt: MqttSession;
  #clock: Clock;
  #topics: { [K in NodeMessage["type"]]: string };

  constructor(options: UplinkOptions) {
    this.nodeId = options.nodeId;
    this.bootId = options.bootId;
    this.outbox = options.outbox;
    this.#mqtt = options.mqtt;
    this.#clock = options.clock;
    this.#maxInFlight = options.maxInFlight ?? 8;
    this.#receiptWaitMs = options.receiptWaitMs ?? RECEIPT_WAIT_MS;
    this.#log = options.log;
    const topic = (type: NodeMessage["type"]) => nodeTopic(options.nodeId, CHANNEL_OF[type]);
    this.#topics = {
      alarm: topic("alarm"),
      telemetry: topic("telemetry"),
      status: topic("status"),
      event: topic("event"),
      health: topic("health"),
      ack: topic("ack"),
    };
  }

  /** Messages in the outbox, sent or not, that the broker has not acknowledged. */
  get queued(): number {
    return this.outbox.depth;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** The seq the next message will carry. */
  get nextSeq(): number {
    return this.#seq + 1;
  }

  alarm(body: Body<AlarmMessage>): boolean {
    return this.#queue(OUTBOX_ALARM, this.#stamp({ type: "alarm", ...body } as AlarmMessage));
  }

  /** A state event; an elevator or capsule adds its state after the event and how it came about (`device`). */
  event(name: string, data?: EventMessage["data"], device?: DeviceEventFields): boolean {
    const message = { type: "event", name } as EventMessage;
    if (data) message.data = data;
    if (device) {
      message.state = device.state;
      if (device.durationMs !== undefined) message.durationMs = device.durationMs;
      if (device.releasedBy !== undefined) message.releasedBy = device.releasedBy;
      if (device.cause !== undefined) message.cause = device.cause;
    }
    return this.#queue(OUTBOX_EVENT, this.#stamp(message));
  }

  ack(body: Body<AckMessage>): boolean {
    return this.#queue(OUTBOX_EVENT, this.#stamp({ type: "ack", ...body } as AckMessage));
  }

  telemetry(body: Body<TelemetryMessage>): boolean {
    const message = this.#stamp({ type: "telemetry", ...body } as TelemetryMessage);
    if (this.#connected && this.outbox.depth === 0) {
      this.#mqtt.publish(this.#topics.telemetry, encodeMessage(message), 0);
      return true;
    }
    return this.#queue(OUTBOX_TELEMETRY, message);
  }

  /** Sends a heartbeat if connected; returns whether it went. */
  health(body: Body<HealthMessage>): boolean {
    if (!this.#connected) return false;
    this.#mqtt.publish(this.#topics.health, encodeMessage(this.#stamp({ type: "health", ...body } as HealthMessage)), 0);
    return true;
  }

  /** The retained status message; the same shape, with online false, is the connection's last will. */
  status(body: Body<StatusMessage>): { topic: string; payload: string; seq: number } {
    const message = this.#stamp({ type: "status", ...body } as StatusMessage);
    return { topic: this.#topics.status, payload: encodeMessage(message), seq: message.seq };
  }

  onConnected(): void {
    this.#connected = true;
    this.outbox.requeueInFlight();
    this.#pump();
  }

  onDisconnected(): void {
    this.#connected = false;
    this.outbox.requeueInFlight();
  }

  /**
   * The broker's PUBACK. The window is the outbox's own count of entries in flight, and the pump
   * runs whatever the id matched: a PUBACK for an entry evicted while in flight matches nothing,
   * yet its place in the window is already free, and waiting for it would stall the link.
   */
  onPublished(packetId: number): void {
    this.outbox.acknowledge(packetId, this.#receiptDue);
    this.#pump();
  }

  /** The cloud's receipt (a `cmd/stored` payload): those alarms are stored and leave the outbox. Returns how many did. */
  onStored(payload: string): number {
    const receipt = decodeReceipt(payload);
    if (!receipt) return 0;
    this.#receiptsSeen = true;
    const confirmed = this.outbox.confirm(receipt.boot, receipt.seqs);
    this.#pump();
    return confirmed;
  }

  /** Sends again the alarms whose receipt is overdue; the link calls it every few seconds. */
  checkReceipts(): void {
    if (this.outbox.resendOverdue(this.#clock.now()) > 0) this.#pump();
  }

  #queue(priority: OutboxPriority, message: NodeMessage): boolean {
    const kept = this.outbox.push(priority, this.#topics[message.type], encodeMessage(message));
    this.#pump();
    return kept;
  }

  #pump(): void {
    const outbox = this.outbox;
    while (this.#connected && outbox.inFlight < this.#maxInFlight) {
      const entry = outbox.nextToSend();
      if (!entry) return;
      if (entry.priority === OUTBOX_TELEMETRY) {
        this.#mqtt.publish(entry.topic, entry.payload, 0);
        outbox.discard(entry);
        continue;
      }
      const packetId = this.#mqtt.publish(entry.topic, entry.payload, 1);
      if (packetId === 0) return;
      outbox.sent(entry, packetId);
    }
  }

  #stamp<M extends NodeMessage>(message: M): M {
    message.v = PROTOCOL_VERSION;
    message.node = this.nodeId;
    message.boot = this.bootId;
    message.seq = ++this.#seq;
    message.t = Math.floor(this.#clock.now());
    return message;
  }
}
