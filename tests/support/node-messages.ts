import mqtt, { type MqttClient } from "mqtt";
import type { AckMessage, AlarmMessage, EventMessage, NodeMessage } from "../../shared/messages";
import { encodeReceipt } from "../../shared/receipts";
import { storedTopic, TOPIC_ROOT } from "../../shared/topics";
import { waitFor } from "./wait";

/**
 * Everything nodes publish on the broker, collected for assertions: what the cloud would
 * store, read straight off the wire. Like the cloud, it keeps a copy of a message it already has
 * (same node, boot and seq) once, and receipts every alarm (shared/receipts.ts), so nodes let
 * their alarms go as they do with the cloud.
 */
export class NodeMessages {
  readonly all: NodeMessage[] = [];
  /** Copies of messages already collected (a node sent them again), not in `all`. */
  copies = 0;
  readonly #seen = new Set<string>();
  private constructor(readonly client: MqttClient) {}

  static async listen(brokerUrl: string): Promise<NodeMessages> {
    const client = await mqtt.connectAsync(brokerUrl, { protocolVersion: 5, clientId: `collector-${process.pid}-${Math.random().toString(36).slice(2, 8)}` });
    const collector = new NodeMessages(client);
    client.on("message", (topic, payload) => {
      if (topic.endsWith("/status") || topic.endsWith("/cmd") || topic.endsWith("/health")) return;
      const message = JSON.parse(payload.toString("utf8")) as NodeMessage;
      if (message.type === "alarm") void client.publishAsync(storedTopic(message.node), encodeReceipt({ boot: message.boot, seqs: [message.seq] }), { qos: 0 }).catch(() => {});
      const key = `${message.node}/${message.boot}/${message.seq}`;
      if (collector.#seen.has(key)) {
        collector.copies++;
        return;
      }
      collector.#seen.add(key);
      collector.all.push(message);
    });
    await client.subscribeAsync(`${TOPIC_ROOT}/node/+/+`, { qos: 1 });
    return collector;
  }

  events(node: string, name?: string): EventMessage[] {
    return this.all.filter((m): m is EventMessage => m.type === "event" && m.node === node && (name === undefined || m.name === name));
  }

  alarms(node: string, kind?: string): AlarmMessage[] {
    return this.all.filter((m): m is AlarmMessage => m.type === "alarm" && m.node === node && (kind === undefined || m.kind === kind));
  }

  acks(node: string): AckMessage[] {
    return this.all.filter((m): m is AckMessage => m.type === "ack" && m.node === node);
  }

  /** Waits until `count` events named `name` from `node` have arrived; returns the last. */
  async event(node: string, name: string, count = 1): Promise<EventMessage> {
    return waitFor(() => this.events(node, name)[count - 1], `${count} "${name}" event(s) from ${node}`);
  }

  async alarm(node: string, kind: string, state: "raised" | "cleared", count = 1): Promise<AlarmMessage> {
    return waitFor(() => this.alarms(node, kind).filter((a) => a.state === state)[count - 1], `${count} ${kind} alarm(s) ${state} from ${node}`);
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}
