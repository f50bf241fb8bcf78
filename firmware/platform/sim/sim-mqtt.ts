import type { MqttConnectOptions, MqttSession } from "../../ports/mqtt";
import { callHost } from "./host-call";

/**
 * The node's MQTT session bridged to a real MQTT connection held by the host. Packet ids are
 * chosen here, as the ECMA-419 client chooses them on the device; the host reports each PUBACK
 * back with the same id.
 */
export class SimMqtt implements MqttSession {
  onConnected: () => void = () => {};
  onPublished: (packetId: number) => void = () => {};
  onMessage: (topic: string, payload: string) => void = () => {};
  onDisconnected: (reason: string) => void = () => {};
  #nextPacketId = 0;

  connect(options: MqttConnectOptions): void {
    callHost({ op: "mqtt.connect", options });
  }

  publish(topic: string, payload: string, qos: 0 | 1, retain = false): number {
    const packetId = qos === 0 ? 0 : this.#allocatePacketId();
    callHost({ op: "mqtt.publish", topic, payload, qos, retain, packetId });
    return packetId;
  }

  subscribe(filter: string): void {
    callHost({ op: "mqtt.subscribe", filter });
  }

  close(): void {
    callHost({ op: "mqtt.close" });
  }

  #allocatePacketId(): number {
    this.#nextPacketId = this.#nextPacketId === 65535 ? 1 : this.#nextPacketId + 1;
    return this.#nextPacketId;
  }
}
