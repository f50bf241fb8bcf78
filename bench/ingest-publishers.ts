import mqtt, { type MqttClient } from "mqtt";
import { encodeMessage } from "../shared/codec";
import { nodeTopic } from "../shared/topics";

/**
 * The publishing side of bench:ingest, in its own process so it does not share an event loop
 * with the ingest it measures. Plain mqtt.js clients, one per simulated node (the firmware's own
 * link is exercised by the tests; here the subject is the cloud). Each node keeps at most
 * `window` QoS 1 messages in flight, as the firmware's uplink does.
 *
 * Parent → child: { go: true }. Child → parent: { ready: true }, then { done: true, ms, cpuSeconds }
 * (its own CPU time from "go" to the last PUBACK, every thread).
 */
const [url, nodesArg, perNodeArg, bootArg, windowArg] = process.argv.slice(2);
const nodes = Number(nodesArg);
const perNode = Number(perNodeArg);
const boot = Number(bootArg);
const window = Number(windowArg);

async function main(): Promise<void> {
  const clients: MqttClient[] = [];
  for (let i = 0; i < nodes; i += 100) {
    const batch = Array.from({ length: Math.min(100, nodes - i) }, (_, k) =>
      mqtt.connectAsync(url, { clientId: `bench-${String(i + k).padStart(5, "0")}`, protocolVersion: 4, reconnectPeriod: 0, keepalive: 60 }),
    );
    clients.push(...(await Promise.all(batch)));
  }
  process.send!({ ready: true });
  await new Promise<void>((resolve) => process.once("message", () => resolve()));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    clients.map(async (client, index) => {
      const node = `bench-${String(index).padStart(5, "0")}`;
      const topic = nodeTopic(node, "telemetry");
      let next = 1;
      const worker = async () => {
        while (next <= perNode) {
          const seq = next++;
          const payload = encodeMessage({ v: 1, node, boot, seq, t: seq * 1000, type: "telemetry", readings: { smokeRaw: 300 + (seq % 37), temperatureC: 21.5 } });
          await client.publishAsync(topic, payload, { qos: 1 });
        }
      };
      await Promise.all(Array.from({ length: window }, worker));
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  process.send!({ done: true, ms: performance.now() - started, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
  await Promise.all(clients.map((client) => client.endAsync()));
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`publishers failed: ${(error as Error).message}\n`);
  process.exit(1);
});
