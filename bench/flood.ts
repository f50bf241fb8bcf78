/**
 * `npm run bench:flood`: can one node drown the others? One node floods 10,000 valid alarms
 * while 1,000 nodes send telemetry and 50 other nodes each send one genuine alarm during the
 * flood, all through Mosquitto into one cloud instance (embedded libSQL file). Prints the genuine
 * alarms' publish → stored and publish → incident (opened, its first round handed to the
 * notifier) p50 / p99, the longest event-loop stall and the longest API answer during the run,
 * and the cloud's peak RSS.
 *
 *   npm run bench:flood [-- --telemetry 1000 --genuine 50 --flood 10000 --spread 3000]
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq, inArray } from "drizzle-orm";
import { createToken } from "../cloud/auth/tokens";
import { alarms, incidentEvents, incidents, nodes } from "../cloud/db/schema";
import type { IngestStats } from "../cloud/ingest/ingest";
import { createPlace } from "../cloud/places/queries";
import { insertStaff, replaceScopes } from "../cloud/staff/queries";
import { startMosquitto } from "../tests/support/mosquitto";
import { lockHoldsText, lockWaitsText, startBenchCloud, type CloudMeasures } from "./bench-cloud";
import { benchSmsProvider } from "./sms-provider";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const TELEMETRY = arg("telemetry", 1000);
const GENUINE = arg("genuine", 50);
const FLOOD = arg("flood", 10_000);
const SPREAD_MS = arg("spread", 3000);
const genuineNodeId = (i: number) => `genuine-${String(i).padStart(3, "0")}`;
const FLOOD_NODE = "flood-node";

async function main(): Promise<void> {
  const broker = await startMosquitto();
  // Building leads with phones and an SMS provider (a server shaped like Aliyun's, in a worker):
  // each genuine incident's first round reaches someone, as in a deployment, instead of running
  // through every tier as routing gaps.
  const { config: smsConfig, listener } = await benchSmsProvider();
  // The cloud in a process of its own, as deployed (bench/cloud-process.ts): the loop's stall and
  // the RSS measured there are the cloud's alone. This process seeds and reads through its own connection.
  const { cloud, url: cloudUrl, database } = await startBenchCloud({
    brokerUrl: broker.url,
    instanceId: `flood-${process.pid}`,
    sms: smsConfig,
    logFile: join(mkdtempSync(join(tmpdir(), "sw-flood-")), "cloud.log"),
  });
  const db = database.db;
  try {
    // Each genuine node on its own floor, so each alarm opens its own incident; the flood node on another.
    const t0 = Date.now();
    await createPlace(db, { id: "st-f", parentId: null, level: "street", name: "Flood Street" }, t0);
    await createPlace(db, { id: "cm-f", parentId: "st-f", level: "community", name: "Flood Community" }, t0);
    await createPlace(db, { id: "cp-f", parentId: "cm-f", level: "compound", name: "Flood Compound" }, t0);
    const place = async (nodeId: string, building: string, floor: string) => {
      await db.insert(nodes).values({ id: nodeId, placeId: floor, online: false, firstSeenAt: t0, lastSeenAt: t0 }).onConflictDoNothing();
    };
    for (let b = 0; b <= Math.ceil(GENUINE / 10); b++) {
      await createPlace(db, { id: `bd-${b}`, parentId: "cp-f", level: "building", name: `Building ${b}` }, t0);
      const lead = await insertStaff(db, { name: `Lead ${b}`, role: "building-lead", phone: `1380013${String(b).padStart(4, "0")}` }, t0);
      await replaceScopes(db, lead.id, [`bd-${b}`]);
    }
    for (let i = 0; i < GENUINE; i++) {
      const b = Math.floor(i / 10) + 1;
      await createPlace(db, { id: `fl-${i}`, parentId: `bd-${b}`, level: "floor", name: `Floor ${i}` }, t0);
      await place(genuineNodeId(i), `bd-${b}`, `fl-${i}`);
    }
    await createPlace(db, { id: "fl-flood", parentId: "bd-0", level: "floor", name: "Flood floor" }, t0);
    await place(FLOOD_NODE, "bd-0", "fl-flood");
    const token = await createToken(db, "flood-bench", "admin", t0);

    // The cloud's own view: event-loop delay, peak RSS, and when the flood's last alarm was stored.
    await cloud.ask({ cmd: "watch", nodeId: FLOOD_NODE, count: FLOOD });

    process.stderr.write(`seeded ${GENUINE} genuine nodes and the flood node; starting ${TELEMETRY + GENUINE + 1} clients…\n`);
    const probe = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./api-probe.ts", import.meta.url)), cloudUrl, token], { stdio: ["pipe", "pipe", "inherit"] });
    let probeOut = "";
    probe.stdout.on("data", (chunk: Buffer) => (probeOut += chunk.toString()));
    const probeDone = new Promise<void>((resolve) => probe.once("exit", () => resolve()));
    const fleet = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./flood-fleet.ts", import.meta.url)), broker.url, String(TELEMETRY), String(GENUINE), String(FLOOD), String(SPREAD_MS)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    fleet.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    // Measure the loop from when the clients are connected (the fleet's telemetry warm-up) on.
    const marked = new Promise((resolve) => setTimeout(resolve, 3000)).then(() => cloud.ask({ cmd: "mark" }));
    const code = await new Promise<number | null>((resolve) => fleet.once("exit", resolve));
    await marked;
    if (code !== 0) throw new Error(`the fleet process exited with ${code}`);
    probe.stdin.end();
    await probeDone;
    const result = JSON.parse(out.trim().split("\n").at(-1)!) as {
      floodStartedMs: number;
      floodAckedAtMs: number;
      publishedWallMs: Record<string, number>;
      telemetrySent: number;
    };
    const probes = JSON.parse(probeOut.trim().split("\n").at(-1)!) as Array<{ atMs: number; ms: number; status: number }>;
    // Let the desk finish what it has.
    const settleUntil = Date.now() + 30_000;
    let watched = { stored: 0, reachedAtMs: 0 };
    while (Date.now() < settleUntil) {
      watched = await cloud.ask<{ stored: number; reachedAtMs: number }>({ cmd: "watched" });
      const done = await db.select({ id: incidents.id }).from(incidents).where(inArray(incidents.nodeId, Object.keys(result.publishedWallMs)));
      if (done.length >= GENUINE && watched.stored >= FLOOD) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const measures = await cloud.ask<CloudMeasures>({ cmd: "measure" });
    await cloud.ask({ cmd: "desk-idle" });
    const floodStoredAtMs = watched.reachedAtMs;

    const ids = Object.keys(result.publishedWallMs);
    const stored = await db.select({ nodeId: alarms.nodeId, at: alarms.receivedAt }).from(alarms).where(inArray(alarms.nodeId, ids));
    const notified = await db
      .select({ nodeId: incidents.nodeId, at: incidentEvents.at })
      .from(incidentEvents)
      .innerJoin(incidents, eq(incidents.id, incidentEvents.incidentId))
      .where(and(inArray(incidents.nodeId, ids), eq(incidentEvents.type, "notified")));
    const firstNotified = new Map<string, number>();
    for (const row of notified) if (row.nodeId && (!firstNotified.has(row.nodeId) || row.at < firstNotified.get(row.nodeId)!)) firstNotified.set(row.nodeId, row.at);
    const storedAt = new Map(stored.map((r) => [r.nodeId, r.at]));
    const during = ids.filter((id) => result.publishedWallMs[id] <= (floodStoredAtMs || Infinity));
    const latencies = (at: Map<string, number>, which: string[]) => which.filter((id) => at.has(id)).map((id) => at.get(id)! - result.publishedWallMs[id]).sort((a, b) => a - b);
    const toStore = latencies(storedAt, during);
    const toIncident = latencies(firstNotified, during);
    const q = (list: number[], p: number) => (list.length ? list[Math.min(list.length - 1, Math.ceil(p * list.length) - 1)] : NaN);
    const inRun = probes.filter((p) => p.atMs >= result.floodStartedMs);
    const apiMax = Math.max(...inRun.map((p) => p.ms));
    const apiFailed = inRun.filter((p) => p.status !== 200).length;
    const loopMaxMs = measures.loopDelay.maxMs;
    const floodMs = floodStoredAtMs ? floodStoredAtMs - result.floodStartedMs : NaN;
    const { stats } = await cloud.ask<{ stats: IngestStats }>({ cmd: "stats" });
    const rows: Array<[string, string]> = [
      ["clients (mqtt.js, own process)", `${TELEMETRY} telemetry (QoS 0, every 5 s), ${GENUINE} genuine, 1 flooding`],
      ["flood", `${FLOOD} alarms (QoS 1, raised/cleared in turn), broker acked all in ${result.floodAckedAtMs - result.floodStartedMs} ms, cloud stored all in ${floodMs} ms`],
      ["genuine alarms published during the flood", `${during.length} of ${ids.length} (spread over ${SPREAD_MS / 1000} s from its start)`],
      ["ingest received / stored / duplicates / failed", `${stats.received} / ${stats.stored} / ${stats.duplicates} / ${stats.failed}; ${stats.batches} transactions, largest ${stats.largestBatch}`],
      ["genuine: publish → stored p50 / p99 / max", `${q(toStore, 0.5)} / ${q(toStore, 0.99)} / ${toStore.at(-1)} ms`],
      ["genuine: publish → incident p50 / p99 / max", `${q(toIncident, 0.5)} / ${q(toIncident, 0.99)} / ${toIncident.at(-1)} ms (incident opened, first round handed to the notifier)`],
      ["genuine alarms without an incident", String(during.length - toIncident.length)],
      ["longest event-loop stall (cloud process)", `${loopMaxMs.toFixed(0)} ms`],
      ["longest API answer (GET /api/ingest/stats every 20 ms, own process)", `${apiMax} ms over ${inRun.length} requests, ${apiFailed} failed`],
      ["peak RSS (cloud process)", `${(measures.peak.rss / 2 ** 20).toFixed(0)} MB (its own process)`],
      ["the loop's writes that waited for another thread's write (mean / max)", lockWaitsText(measures.lockWaits)],
      ["the bulk thread's holds of the write lock (mean; longer than …)", lockHoldsText(measures.bulkLockHolds)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\nbench:flood — ${new Date().toISOString()}\n`);
    for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
    const met = q(toIncident, 0.99) < 200 && Math.max(loopMaxMs, apiMax) < 100 && toIncident.length === during.length;
    process.stdout.write(`  goal: genuine p99 < 200 ms, no stall or API answer ≥ 100 ms, every genuine alarm an incident → ${met ? "met" : "NOT met"}\n`);
    await cloud.ask({ cmd: "close" });
  } finally {
    cloud.kill();
    database.close();
    listener.kill();
    await broker.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench:flood failed: ${error.stack}\n`);
    process.exit(1);
  },
);
