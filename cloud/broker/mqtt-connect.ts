import mqtt, { type IClientOptions, type MqttClient } from "mqtt";

/**
 * mqtt.js's `connect`, taking one broker URL or a comma-separated list of them (the MQTT
 * listeners of a broker cluster, e.g. NATS servers): with a list the client tries them in turn
 * at each reconnect (mqtt.js `servers`), so losing one server costs a reconnect, not the link.
 */
export function connectMqtt(url: string, options: IClientOptions): MqttClient {
  const urls = mqttUrls(url);
  if (urls.length === 1) return mqtt.connect(urls[0], options);
  const servers = urls.map((entry) => {
    const parsed = new URL(entry);
    const protocol = parsed.protocol === "mqtts:" ? ("mqtts" as const) : ("mqtt" as const);
    return { host: parsed.hostname, port: Number(parsed.port || (protocol === "mqtts" ? 8883 : 1883)), protocol };
  });
  return mqtt.connect({ ...options, servers, protocol: servers[0].protocol });
}

/** The URLs of a comma-separated list, trimmed. */
export function mqttUrls(url: string): string[] {
  return url
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
}
