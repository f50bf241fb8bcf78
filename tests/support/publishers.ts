import mqtt, { type MqttClient } from "mqtt";
import { encodeMessage } from "../../shared/codec";
import type { AlarmMessage, EventMessage, NodeMessage, TelemetryMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";

/**
 * Plain mqtt.js clients standing in for nodes where the test is about the cloud and the broker,
 * not the firmware: each sends well-formed messages under its own id, boot 1, seq from 1.
 */
export class FakeNodes {
  readonly clients: MqttClient[] = [];
  readonly ids: string[];
  #seq: number[];

  private constructor(ids: string[], clients: MqttClient[]) {
    this.ids = ids;
    this.clients = clients;
    this.#seq = ids.map(() => 0);
  }

  static async connect(url: string, count: number, prefix = "fake"): Promise<FakeNodes> {
    const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(4, "0")}`);
    const clients: MqttClient[] = [];
    for (let i = 0; i < ids.length; i += 50) {
      clients.push(...(await Promise.all(ids.slice(i, i + 50).map((id) => mqtt.connectAsync(url, { clientId: id, protocolVersion: 4, reconnectPeriod: 1000 })))));
    }
    return new FakeNodes(ids, clients);
  }

  /** The next message of node `index`, of the given type. */
  message(index: number, type: "alarm" | "event" | "telemetry"): NodeMessage {
    const seq = ++this.#seq[index];
    const header = { v: 1 as const, node: this.ids[index], boot: 1, seq, t: seq * 100 };
    if (type === "alarm") {
      return { ...header, type, kind: "smoke", severity: "alarm", state: seq % 2 ? "raised" : "cleared", value: 900, unit: "raw", threshold: 700 } satisfies AlarmMessage;
    }
    if (type === "event") return { ...header, type, name: "relay-tested", data: { durationMs: 500 } } satisfies EventMessage;
    return { ...header, type, readings: { smokeRaw: 300 + (seq % 50), temperatureC: 21.5 } } satisfies TelemetryMessage;
  }

  /** Publishes without waiting for the PUBACK; the promise settles on it. */
  send(index: number, type: "alarm" | "event" | "telemetry", qos: 0 | 1 = 1): Promise<unknown> {
    const message = this.message(index, type);
    return this.clients[index].publishAsync(nodeTopic(message.node, type), encodeMessage(message), { qos });
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.endAsync()));
  }
}
