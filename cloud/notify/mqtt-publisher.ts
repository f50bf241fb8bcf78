import type { MqttClient } from "mqtt";
import { connectMqtt } from "../broker/mqtt-connect";
import type { Logger } from "../log";
import { redactUrl } from "../ingest/subscriber";
import type { AppPublish } from "./notifier";

/**
 * The cloud's own connection for pushing to staff apps, apart from the ingest's, so a burst of
 * notifications never queues behind (or holds up) the PUBACKs of incoming alarms.
 */
export async function connectAppPublisher(
  options: { url: string; username?: string; password?: string; clientId: string; protocolVersion: 4 | 5 },
  log: Logger,
): Promise<{ client: MqttClient; publish: AppPublish }> {
  const client = connectMqtt(options.url, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    protocolVersion: options.protocolVersion,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  client.on("connect", () => (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true));
  client.on("error", (error) => log("warn", "staff-app publisher connection error", { error: error.message }));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error(`could not reach the MQTT broker at ${redactUrl(options.url)} within 10 s`));
    }, 10_000);
    client.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    client,
    publish: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
  };
}
