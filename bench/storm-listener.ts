/**
 * The staff apps' side of `npm run bench:storm`, in its own process: one MQTT 5 client with a
 * persistent session on every person's notify topic (so it keeps what comes while the broker
 * restarts), noting when each node's first notification arrived (wall clock, ms).
 * Parent → child: report. Child → parent: { ready }, then { first: { [nodeId]: at }, notifications }.
 */
import mqtt from "mqtt";
import { staffNotifyFilter } from "../shared/topics";

const [brokerUrl] = process.argv.slice(2);
const wallNow = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const client = await mqtt.connectAsync(brokerUrl, {
    protocolVersion: 5,
    clientId: `storm-listener-${process.pid}`,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
    reconnectPeriod: 250,
  });
  (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  client.on("connect", () => (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true));
  const first: Record<string, number> = {};
  let notifications = 0;
  client.on("message", (_topic, payload) => {
    const at = wallNow();
    notifications++;
    const { incident } = JSON.parse(payload.toString()) as { incident: { nodeId: string | null } };
    if (incident.nodeId && first[incident.nodeId] === undefined) first[incident.nodeId] = at;
  });
  await client.subscribeAsync(staffNotifyFilter(), { qos: 1 });
  process.on("message", (request: { cmd: string }) => {
    if (request.cmd === "report") process.send!({ first, notifications });
    if (request.cmd === "close") void client.endAsync(true).then(() => process.exit(0));
  });
  process.send!({ ready: true });
}

main().catch((error) => {
  process.stderr.write(`listener failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
