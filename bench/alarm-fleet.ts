/**
 * The fleet side of `npm run bench:alarm`, in its own process so 2,000 MQTT clients do not share
 * the cloud's event loop. Plain mqtt.js publishers stand in for the nodes (the firmware's own
 * path is tested in XS elsewhere); each sends QoS 0 telemetry on its own interval, and alarms
 * (QoS 1) are injected at random nodes at random times. Prints, as one JSON line, when each alarm
 * was published (wall clock) and whether the broker acknowledged it; when it first reached a
 * person is the SMS provider's to say (bench/sms-listener.ts).
 */
import mqtt, { type MqttClient } from "mqtt";
import { encodeMessage } from "../shared/codec";
import type { AlarmMessage, TelemetryMessage } from "../shared/messages";
import { nodeTopic } from "../shared/topics";

const [brokerUrl, nodeCountText, alarmCountText, durationText] = process.argv.slice(2);
const nodeCount = Number(nodeCountText);
const alarmCount = Number(alarmCountText);
const injectOverMs = Number(durationText);
const TELEMETRY_INTERVAL_MS = 5000;

const nodeId = (i: number) => `bench-node-${String(i).padStart(4, "0")}`;

async function main(): Promise<void> {
  const clients: MqttClient[] = [];
  const connectStarted = performance.now();
  for (let i = 0; i < nodeCount; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, nodeCount - i) }, (_, k) =>
        mqtt.connectAsync(brokerUrl, { protocolVersion: 5, clientId: nodeId(i + k), keepalive: 60, reconnectPeriod: 1000 }),
      ),
    );
    for (const client of batch) (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    clients.push(...batch);
  }
  const connectMs = performance.now() - connectStarted;

  const seqs = new Array<number>(nodeCount).fill(1);
  let telemetrySent = 0;
  const timers: NodeJS.Timeout[] = [];
  const startTelemetry = performance.now();
  clients.forEach((client, i) => {
    const send = () => {
      const message: TelemetryMessage = { v: 1, node: nodeId(i), boot: 1, seq: seqs[i]++, t: Math.round(performance.now()), type: "telemetry", readings: { smokeRaw: 300 + (i % 40), temperatureC: 22.5 } };
      client.publish(nodeTopic(nodeId(i), "telemetry"), encodeMessage(message), { qos: 0 });
      telemetrySent++;
    };
    timers.push(
      setTimeout(() => {
        send();
        timers.push(setInterval(send, TELEMETRY_INTERVAL_MS));
      }, Math.random() * TELEMETRY_INTERVAL_MS),
    );
  });

  // Distinct nodes, so each alarm opens its own incident and must reach someone.
  const chosen = new Set<number>();
  while (chosen.size < Math.min(alarmCount, nodeCount)) chosen.add(Math.floor(Math.random() * nodeCount));
  const publishedWallMs: Record<string, number> = {};
  const acked = new Set<string>();
  await new Promise((resolve) => setTimeout(resolve, TELEMETRY_INTERVAL_MS)); // telemetry at full rate first
  await Promise.all(
    [...chosen].map(
      (i) =>
        new Promise<void>((resolve) => {
          setTimeout(() => {
            const message: AlarmMessage = { v: 1, node: nodeId(i), boot: 1, seq: seqs[i]++, t: Math.round(performance.now()), type: "alarm", kind: "smoke", severity: "alarm", state: "raised", value: 950, unit: "raw", threshold: 700 };
            publishedWallMs[nodeId(i)] = Date.now();
            clients[i].publish(nodeTopic(nodeId(i), "alarm"), encodeMessage(message), { qos: 1 }, (error) => {
              if (!error) acked.add(nodeId(i));
              resolve();
            });
          }, Math.random() * injectOverMs);
        }),
    ),
  );
  // Telemetry keeps flowing while the cloud delivers; the parent says when to stop (SIGUSR2).
  process.stdout.write(`${JSON.stringify({ published: Object.keys(publishedWallMs).length })}\n`);
  await new Promise<void>((resolve) => process.once("SIGUSR2", () => resolve()));
  const telemetrySeconds = (performance.now() - startTelemetry) / 1000;
  for (const t of timers) clearTimeout(t);

  process.stdout.write(
    `${JSON.stringify({
      nodes: nodeCount,
      connectMs,
      telemetrySent,
      telemetryPerSecond: telemetrySent / telemetrySeconds,
      alarms: Object.keys(publishedWallMs).length,
      alarmsAcked: acked.size,
      publishedWallMs,
    })}\n`,
  );
  await Promise.all(clients.map((c) => c.endAsync(true)));
}

main().catch((error) => {
  process.stderr.write(`fleet failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
