/**
 * The node's MQTT connection, as the link layer needs it. On the ESP32 it wraps the SDK's
 * ECMA-419 client (`embedded:network/mqtt/client`, QoS 0/1/2); in the simulator it is bridged
 * to a real MQTT connection in the host. Callbacks are set once and never replaced per message.
 */
export interface MqttConnectOptions {
  clientId: string;
  username?: string;
  password?: string;
  keepAliveMs: number;
  /** The node's session sets one; a claim connection has nothing to announce and none. */
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
}

export interface MqttSession {
  connect(options: MqttConnectOptions): void;
  /** Returns the packet id for QoS 1 (acknowledged later through `onPublished`), 0 for QoS 0. */
  publish(topic: string, payload: string, qos: 0 | 1, retain?: boolean): number;
  subscribe(filter: string): void;
  close(): void;
  onConnected: () => void;
  onPublished: (packetId: number) => void;
  onMessage: (topic: string, payload: string) => void;
  onDisconnected: (reason: string) => void;
}
