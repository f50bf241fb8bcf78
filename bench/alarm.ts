/**
 * `npm run bench:alarm`: publish → first *delivered* notification of the alarm routing path under
 * a realistic background: 2,000 nodes sending telemetry through Mosquitto while alarms are
 * injected at random. The path measured is node publish → Mosquitto → ingest (validate, store) →
 * incident → router → stored deliveries → the Aliyun SMS adapter (RPC-signed HTTP) → a server
 * shaped like Aliyun's SMS API in its own process, which checks the signature and takes it: the
 * moment a provider accepted a message for a person, as the durable delivery row records it.
 *
 *   npm run bench:alarm [-- --nodes 2000 --alarms 400 --over 30000]
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { memoryLogger } from "../cloud/log";
import { startCloud } from "../cloud/server";
import { insertStaff, replaceScopes } from "../cloud/staff/queries";
import { createPlace } from "../cloud/places/queries";
import { inArray } from "drizzle-orm";
import { alarms, incidents, nodes } from "../cloud/db/schema";
import { tempDatabaseUrl } from "../tests/support/cloud";
import { startMosquitto } from "../tests/support/mosquitto";
import { benchSmsProvider } from "./sms-provider";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const NODES = arg("nodes", 2000);
const ALARMS = arg("alarms", 400);
const OVER_MS = arg("over", 30_000);
/** How long to wait for stragglers; an alarm with no delivered notification by then counts as lost. */
const GRACE_MS = 60_000;
const FLOORS_PER_BUILDING = 10;
const BUILDINGS_PER_COMPOUND = 20;

async function main(): Promise<void> {
  const broker = await startMosquitto();
  const log = memoryLogger();
  const { sms, listener } = await benchSmsProvider();
  const cloud = await startCloud({
    bulkThread: true,
    databaseUrl: tempDatabaseUrl(),
    mqtt: { url: broker.url, protocolVersion: 5, shareGroup: "bench" },
    instanceId: `bench-${process.pid}`,
    port: 0,
    host: "127.0.0.1",
    log,
    routing: { sms },
  });
  const db = cloud.database.db;
  try {
    // A street of one community; 10 floors a building, 20 buildings a compound; one node per floor.
    const t0 = Date.now();
    await createPlace(db, { id: "st-b", parentId: null, level: "street", name: "Bench Street" }, t0);
    await createPlace(db, { id: "cm-b", parentId: "st-b", level: "community", name: "Bench Community" }, t0);
    const buildings = Math.ceil(NODES / FLOORS_PER_BUILDING);
    const staffScopes: Array<{ role: "building-lead" | "property-staff"; placeId: string }> = [];
    for (let b = 0; b < buildings; b++) {
      const compound = `cp-${Math.floor(b / BUILDINGS_PER_COMPOUND)}`;
      if (b % BUILDINGS_PER_COMPOUND === 0) {
        await createPlace(db, { id: compound, parentId: "cm-b", level: "compound", name: `Compound ${compound}` }, t0);
        staffScopes.push({ role: "property-staff", placeId: compound });
      }
      await createPlace(db, { id: `bd-${b}`, parentId: compound, level: "building", name: `Building ${b}` }, t0);
      staffScopes.push({ role: "building-lead", placeId: `bd-${b}` });
      for (let f = 0; f < FLOORS_PER_BUILDING && b * FLOORS_PER_BUILDING + f < NODES; f++) {
        const n = b * FLOORS_PER_BUILDING + f;
        await createPlace(db, { id: `fl-${n}`, parentId: `bd-${b}`, level: "floor", name: `Floor ${f + 1}` }, t0);
        await db.insert(nodes).values({ id: `bench-node-${String(n).padStart(4, "0")}`, placeId: `fl-${n}`, online: false, firstSeenAt: t0, lastSeenAt: t0 });
      }
    }
    let phones = 0;
    for (const { role, placeId } of [...staffScopes, { role: "grid-worker" as const, placeId: "cm-b" }, { role: "community-office" as const, placeId: "cm-b" }, { role: "street-office" as const, placeId: "st-b" }]) {
      // Everyone has a phone: the fire's first tier reaches them by SMS.
      const person = await insertStaff(db, { name: `${role} ${placeId}`, role, phone: `+86139${String(phones++).padStart(8, "0")}` }, t0);
      await replaceScopes(db, person.id, [placeId]);
    }
    // The ingest commits each message on its own, so the disk's sync time bounds what it can take.
    const probeStarted = performance.now();
    for (let i = 0; i < 50; i++) await db.insert(nodes).values({ id: `probe-${i}`, online: false, firstSeenAt: t0, lastSeenAt: t0 });
    const commitMs = (performance.now() - probeStarted) / 50;
    await db.delete(nodes).where(inArray(nodes.id, Array.from({ length: 50 }, (_, i) => `probe-${i}`)));
    process.stderr.write(`seeded ${NODES} nodes in ${buildings} buildings, ${staffScopes.length + 3} staff, in ${Date.now() - t0} ms; starting the fleet…\n`);

    const fleet = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./alarm-fleet.ts", import.meta.url)), broker.url, String(NODES), String(ALARMS), String(OVER_MS)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => fleet.once("exit", resolve));
    const lines = createInterface({ input: fleet.stdout });
    const nextLine = () => new Promise<string>((resolve, reject) => {
      lines.once("line", resolve);
      void exited.then((code) => reject(new Error(`the fleet process exited with ${code}`)));
    });
    const { published } = JSON.parse(await nextLine()) as { published: number };
    process.stderr.write(`${published} alarms published; waiting for the provider to take an SMS for each…\n`);
    // Until the provider has taken an SMS for every alarm's incident, or the grace runs out.
    const deadline = Date.now() + GRACE_MS;
    let report = await listener.ask<{ first: Record<string, number>; accepted: number; refused: number }>({ cmd: "report" });
    while (Object.keys(report.first).length < published && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      report = await listener.ask({ cmd: "report" });
      if (process.env.BENCH_DEBUG) process.stderr.write(`${Object.keys(report.first).length} delivered, ${report.accepted} taken, ${report.refused} refused, ${JSON.stringify(cloud.routing.notifier.stats())}\n`);
    }
    const finalLine = nextLine();
    fleet.kill("SIGUSR2");
    const result = JSON.parse(await finalLine) as {
      nodes: number;
      connectMs: number;
      telemetrySent: number;
      telemetryPerSecond: number;
      alarms: number;
      alarmsAcked: number;
      publishedWallMs: Record<string, number>;
    };
    const code = await exited;
    if (code !== 0) throw new Error(`the fleet process exited with ${code}`);
    // Which incident each alarm opened, so the provider's first acceptance per incident meets its publish time.
    const alarmNodes = Object.keys(result.publishedWallMs);
    const opened = await db.select({ id: incidents.id, nodeId: incidents.nodeId, at: incidents.firstNotifiedAt }).from(incidents).where(inArray(incidents.nodeId, alarmNodes));
    const incidentOf = new Map(opened.map((r) => [r.nodeId!, r.id]));
    const latencies = alarmNodes
      .filter((n) => incidentOf.has(n) && report.first[String(incidentOf.get(n))] !== undefined)
      .map((n) => report.first[String(incidentOf.get(n))] - result.publishedWallMs[n]);
    const lost = alarmNodes.length - latencies.length;
    const late = latencies.filter((ms) => ms > 10_000).length;
    // Where the time went, from the database's own timestamps (same wall clock as the fleet):
    // publish → stored by the ingest, and stored → first delivery recorded (provider accepted, row written).
    const stored = await db.select({ nodeId: alarms.nodeId, at: alarms.receivedAt }).from(alarms).where(inArray(alarms.nodeId, alarmNodes));
    const storedAt = new Map(stored.map((r) => [r.nodeId, r.at]));
    const ingestMs = alarmNodes.filter((n) => storedAt.has(n)).map((n) => storedAt.get(n)! - result.publishedWallMs[n]).sort((a, b) => a - b);
    const routingMs = opened.filter((r) => r.nodeId && r.at !== null && storedAt.has(r.nodeId)).map((r) => r.at! - storedAt.get(r.nodeId!)!).sort((a, b) => a - b);
    const q = (list: number[], p: number) => (list.length ? list[Math.min(list.length - 1, Math.ceil(p * list.length) - 1)] : NaN);
    const sorted = [...latencies].sort((a, b) => a - b);
    if (process.env.BENCH_DUMP) process.stderr.write(`${sorted.map((v) => v.toFixed(0)).join(" ")}\n`);
    const pct = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN);
    const stats = cloud.ingest.stats;
    const rows: Array<[string, string]> = [
      ["simulated nodes (plain mqtt.js publishers, own process)", String(result.nodes)],
      ["database commit before the run (one insert)", `${commitMs.toFixed(2)} ms`],
      ["fleet connect time", `${(result.connectMs / 1000).toFixed(1)} s`],
      ["telemetry sent (QoS 0)", `${result.telemetrySent} (${result.telemetryPerSecond.toFixed(0)} msg/s)`],
      ["ingest received / stored / rejected", `${stats.received} / ${stats.stored} / ${Object.values(stats.rejected).reduce((a, b) => a + b, 0)}`],
      ["alarms injected (QoS 1, random node and time)", `${result.alarms} over ${OVER_MS / 1000} s (${result.alarmsAcked} PUBACKed)`],
      ["alarms delivered to a person (the SMS provider took one)", String(latencies.length)],
      ["SMS the provider took / refused (signature or other)", `${report.accepted} / ${report.refused}`],
      ["publish → first delivered notification p50", `${pct(0.5).toFixed(1)} ms`],
      ["publish → first delivered notification p99", `${pct(0.99).toFixed(1)} ms`],
      ["publish → first delivered notification max", `${sorted.at(-1)?.toFixed(1)} ms`],
      ["late (first delivered notification after 10 s)", String(late)],
      [`lost (nothing delivered within ${GRACE_MS / 1000} s)`, String(lost)],
      ["  of which: publish → stored by ingest p50 / p99", `${q(ingestMs, 0.5)} / ${q(ingestMs, 0.99)} ms (wall clock, 1 ms resolution)`],
      ["  of which: stored → first delivery recorded (provider took it, row written) p50 / p99", `${q(routingMs, 0.5)} / ${q(routingMs, 0.99)} ms`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\nbench:alarm — ${new Date().toISOString()}\n`);
    for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
    process.stdout.write(`  goal: p99 < 200 ms, none lost → ${pct(0.99) < 200 && lost === 0 ? "met" : "NOT met"}\n`);
  } finally {
    await cloud.close();
    listener.kill();
    await broker.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench:alarm failed: ${error.stack}\n`);
    process.exit(1);
  },
);
