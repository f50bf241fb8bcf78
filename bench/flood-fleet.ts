/**
 * The fleet side of `npm run bench:flood`, in its own process so its 1,051 MQTT clients do not
 * share the cloud's event loop (the API probe has a process of its own: api-probe.ts). Plain
 * mqtt.js publishers stand in for nodes. Prints one JSON line: when each genuine alarm was
 * published, and when the flood started and was acknowledged by the broker.
 */
import mqtt, { type MqttClient } from "mqtt";
import { encodeMessage } from "../shared/codec";
import type { AlarmMessage, TelemetryMessage } from "../shared/messages";
import { nodeTopic } from "../shared/topics";

const [brokerUrl, telemetryText, genuineText, floodText, spreadText] = process.argv.slice(2);
const TELEMETRY_NODES = Number(telemetryText);
const GENUINE = Number(genuineText);
const FLOOD = Number(floodText);
const SPREAD_MS = Number(spreadText);
const TELEMETRY_INTERVAL_MS = 5000;

export const floodNodeId = "flood-node";
export const genuineNodeId = (i: number) => `genuine-${String(i).padStart(3, "0")}`;
const telemetryNodeId = (i: number) => `telemetry-${String(i).padStart(4, "0")}`;

const connect = (clientId: string) => mqtt.connectAsync(brokerUrl, { protocolVersion: 4, clientId, keepalive: 60, reconnectPeriod: 1000 });

async function connectAll(ids: string[]): Promise<MqttClient[]> {
  const clients: MqttClient[] = [];
  for (let i = 0; i < ids.length; i += 100) clients.push(...(await Promise.all(ids.slice(i, i + 100).map(connect))));
  for (const client of clients) (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  return clients;
}

async function main(): Promise<void> {
  const telemetryIds = Array.from({ length: TELEMETRY_NODES }, (_, i) => telemetryNodeId(i));
  const genuineIds = Array.from({ length: GENUINE }, (_, i) => genuineNodeId(i));
  const telemetry = await connectAll(telemetryIds);
  const genuine = await connectAll(genuineIds);
  const [flooder] = await connectAll([floodNodeId]);

  let telemetrySent = 0;
  const timers: NodeJS.Timeout[] = [];
  telemetry.forEach((client, i) => {
    let seq = 1;
    const send = () => {
      const message: TelemetryMessage = { v: 1, node: telemetryIds[i], boot: 1, seq: seq++, t: Math.round(performance.now()), type: "telemetry", readings: { smokeRaw: 300 + (i % 40) } };
      client.publish(nodeTopic(telemetryIds[i], "telemetry"), encodeMessage(message), { qos: 0 });
      telemetrySent++;
    };
    timers.push(setTimeout(() => {
      send();
      timers.push(setInterval(send, TELEMETRY_INTERVAL_MS));
    }, Math.random() * TELEMETRY_INTERVAL_MS));
  });

  await new Promise((resolve) => setTimeout(resolve, TELEMETRY_INTERVAL_MS)); // telemetry at full rate first

  // The flood: one node, every alarm valid and new (its own seq), raised and cleared in turn, as fast as the client sends.
  const floodStartedMs = Date.now();
  let floodAcked = 0;
  let floodAckedAtMs = 0;
  for (let seq = 1; seq <= FLOOD; seq++) {
    // A turn of this process's loop every 200 publishes: the flood still goes as fast as the
    // client sends, and the other simulated nodes' timers fire on time (publishing all 10,000
    // in one task held them back for a second, then sent the genuine alarms in one burst).
    if (seq % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    const message: AlarmMessage = { v: 1, node: floodNodeId, boot: 1, seq, t: seq, type: "alarm", kind: "smoke", severity: "alarm", state: seq % 2 ? "raised" : "cleared", value: 950, unit: "raw", threshold: 700 };
    flooder.publish(nodeTopic(floodNodeId, "alarm"), encodeMessage(message), { qos: 1 }, () => {
      if (++floodAcked === FLOOD) floodAckedAtMs = Date.now();
    });
  }

  // The genuine alarms, one per node, at random moments while the flood is under way.
  const publishedWallMs: Record<string, number> = {};
  await Promise.all(
    genuine.map((client, i) => new Promise<void>((resolve) => {
      setTimeout(() => {
        const message: AlarmMessage = { v: 1, node: genuineIds[i], boot: 1, seq: 1, t: 1, type: "alarm", kind: "smoke", severity: "alarm", state: "raised", value: 950, unit: "raw", threshold: 700 };
        publishedWallMs[genuineIds[i]] = Date.now();
        client.publish(nodeTopic(genuineIds[i], "alarm"), encodeMessage(message), { qos: 1 }, () => resolve());
      }, Math.random() * SPREAD_MS);
    })),
  );
  while (floodAcked < FLOOD) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  for (const timer of timers) clearTimeout(timer);
  await Promise.all([...telemetry, ...genuine, flooder].map((client) => client.endAsync()));
  process.stdout.write(`${JSON.stringify({ floodStartedMs, floodAckedAtMs, publishedWallMs, telemetrySent })}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`flood fleet failed: ${error.stack}\n`);
  process.exit(1);
});
