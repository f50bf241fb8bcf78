/**
 * `npm run bench:first-alarm`: what a cloud's cold start costs the first fire. The cloud starts in
 * a process of its own (bench/cloud-process.ts) on bench:storm's street (10,000 nodes, 1,052 staff,
 * the Aliyun-shaped SMS server), and then alarms are raised one at a time on different nodes, a
 * second apart, on a calm broker. For each it prints publish → stored and publish → first
 * delivery confirmed (incidents.first_notified_at, on the same wall clock): the first alarm is the
 * cloud's first incident ever, and pays for everything done the first time (code run for the first
 * time, the routing directory's load, the SMS connection); the ones after show the warm cloud.
 *
 *   npm run bench:first-alarm [-- --alarms 8 --nodes 10000]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import mqtt from "mqtt";
import { alarms, incidents } from "../cloud/db/schema";
import { encodeMessage } from "../shared/codec";
import type { AlarmMessage } from "../shared/messages";
import { nodeTopic } from "../shared/topics";
import { startMosquitto } from "../tests/support/mosquitto";
import { startBenchCloud } from "./bench-cloud";
import { benchSmsProvider } from "./sms-provider";
import { seedStreet, stormNodeId } from "./street";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const ALARMS = arg("alarms", 8);
const NODES = arg("nodes", 10_000);
const wallNow = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sw-first-"));
  const broker = await startMosquitto();
  const { config: sms, listener } = await benchSmsProvider();
  const { cloud, database } = await startBenchCloud({ brokerUrl: broker.url, instanceId: `first-${process.pid}`, sms, logFile: join(dir, "cloud.log") });
  const db = database.db;
  const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: `first-alarm-${process.pid}` });
  try {
    await seedStreet(db, NODES, stormNodeId);
    await cloud.ask({ cmd: "idle" });
    const rows: Array<{ node: string; storedMs: number; notifiedMs: number }> = [];
    for (let i = 0; i < ALARMS; i++) {
      // Nodes far apart: each alarm opens an incident of its own, in another building.
      const node = stormNodeId(Math.floor((i * NODES) / ALARMS));
      const message: AlarmMessage = { v: 1, node, boot: 1, seq: 1, t: 1, type: "alarm", kind: "smoke", severity: "alarm", state: "raised", value: 950, unit: "raw", threshold: 700 };
      const at = wallNow();
      await publisher.publishAsync(nodeTopic(node, "alarm"), encodeMessage(message), { qos: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const [stored] = await db.select({ at: alarms.receivedAt }).from(alarms).where(eq(alarms.nodeId, node));
      const [opened] = await db.select({ at: incidents.firstNotifiedAt }).from(incidents).where(eq(incidents.nodeId, node));
      rows.push({ node, storedMs: stored ? stored.at - at : NaN, notifiedMs: opened?.at ? opened.at - at : NaN });
    }
    const later = rows.slice(1).map((r) => r.notifiedMs).sort((a, b) => a - b);
    process.stdout.write(`\nbench:first-alarm — ${new Date().toISOString()} (${NODES} nodes, cloud in its own process, a calm broker)\n`);
    process.stdout.write("  alarm  node         publish → stored   publish → first delivery confirmed\n");
    rows.forEach((r, i) => process.stdout.write(`  ${String(i + 1).padStart(5)}  ${r.node}  ${r.storedMs.toFixed(0).padStart(10)} ms    ${r.notifiedMs.toFixed(0).padStart(10)} ms${i === 0 ? "  (the cloud's first incident)" : ""}\n`));
    process.stdout.write(`  first alarm ${rows[0].notifiedMs.toFixed(0)} ms; the ${later.length} after it ${later[0]?.toFixed(0)}–${later.at(-1)?.toFixed(0)} ms (median ${later[Math.floor(later.length / 2)]?.toFixed(0)} ms)\n`);
  } finally {
    await publisher.endAsync();
    await Promise.race([cloud.ask({ cmd: "close" }), new Promise((resolve) => setTimeout(resolve, 5000))]);
    cloud.kill();
    listener.kill();
    database.close();
    await broker.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench:first-alarm failed: ${error.stack}\n`);
    process.exit(1);
  },
);
