import type { MqttClient } from "mqtt";
import { connectMqtt } from "../broker/mqtt-connect";
import type { Logger } from "../log";

/** Sends a command to a node's `cmd` topic; resolves when the broker has it (PUBACK). */
export interface CommandPublisher {
  publish(topic: string, payload: string): Promise<void>;
  /** QoS 0, not waited for, dropped while the broker is away: for what the node can do without (alarm receipts). */
  publishAtMostOnce(topic: string, payload: string): void;
  close(): Promise<void>;
}

/** How long the first connection may take, unless told otherwise. */
const FIRST_CONNECT_TIMEOUT_MS = 10_000;

/**
 * The cloud's outgoing connection for commands, separate from the ingest's so a long ingest
 * backlog never delays a command. QoS 1; not retained, so a node that comes back later does not
 * act on a stale command.
 */
export async function startCommandPublisher(
  options: { url: string; username?: string; password?: string; clientId: string; protocolVersion: 4 | 5; firstConnectTimeoutMs?: number },
  log: Logger,
): Promise<CommandPublisher> {
  const patienceMs = options.firstConnectTimeoutMs ?? FIRST_CONNECT_TIMEOUT_MS;
  const client: MqttClient = connectMqtt(options.url, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    protocolVersion: options.protocolVersion,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  client.on("error", (error) => log("warn", "command publisher connection error", { error: error.message }));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error(`the command publisher could not reach the MQTT broker within ${patienceMs / 1000} s`));
    }, patienceMs);
    client.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    async publish(topic, payload) {
      if (!client.connected) throw new Error("the MQTT broker is not reachable right now; try again");
      await client.publishAsync(topic, payload, { qos: 1, retain: false });
    },
    publishAtMostOnce(topic, payload) {
      if (client.connected) client.publish(topic, payload, { qos: 0, retain: false });
    },
    close: () => client.endAsync(),
  };
}

/** For tests without a broker: keeps what would have been sent. */
export function recordingPublisher(): CommandPublisher & { sent: Array<{ topic: string; payload: string }> } {
  const sent: Array<{ topic: string; payload: string }> = [];
  return {
    sent,
    async publish(topic, payload) {
      sent.push({ topic, payload });
    },
    publishAtMostOnce(topic, payload) {
      sent.push({ topic, payload });
    },
    async close() {},
  };
}
