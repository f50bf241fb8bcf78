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
  /**
   * Keep the broker's session across connections (MQTT 3.1.1 §3.1.2.4, CleanSession 0): its
   * subscriptions stay, and QoS 1 messages sent to them while the node is offline wait there.
   * The node's own session sets it, so a command sent during an outage still arrives; a one-off
   * claim connection leaves it unset and leaves nothing behind on the broker.
   */
  persistentSession?: boolean;
  /** The node's session sets one; a claim connection has nothing to announce and none. */
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
}

export interface MqttSession {
  connect(options: MqttConnectOptions): void;
  /**
   * Returns the packet id for QoS 1 (acknowledged later through `onPublished`), 0 for QoS 0.
   * A QoS 1 message the session cannot take now (not connected, or too much already waiting to
   * be written) returns 0 and is not sent; a QoS 0 message may be dropped without a word.
   */
  publish(topic: string, payload: string, qos: 0 | 1, retain?: boolean): number;
  subscribe(filter: string): void;
  close(): void;
  onConnected: () => void;
  onPublished: (packetId: number) => void;
  onMessage: (topic: string, payload: string) => void;
  onDisconnected: (reason: string) => void;
}
