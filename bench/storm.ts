/**
 * `npm run bench:storm`: alarms in the storm. 10,000 nodes are connected through Mosquitto (the
 * project's config, with persistence) to one cloud; the broker restarts; while it is away every
 * node's telemetry waits in its outbox, and some nodes raise alarms and events into it. When the
 * broker is back, all nodes reconnect at once (each with the firmware's jittered backoff) and
 * replay their outboxes — and during that wave fresh alarms are raised on connected nodes. It
 * prints the reconnect time, the messages replayed, the fresh alarms' publish → first staff
 * notification p50/p99, what was lost, and the cloud's RSS.
 *
 * The cloud runs in a process of its own, as deployed (bench/cloud-process.ts: its RSS and event
 * loop hold the cloud alone; this process keeps the bench's bookkeeping and reads the database
 * through a connection of its own); the fleet is split over child processes (a process here may hold at most 20,000 descriptors),
 * and the people's side is two more: a server shaped like Aliyun's SMS API that the cloud's SMS
 * adapter delivers to (bench/sms-listener.ts), and the consoles of the staff the fresh fires go to,
 * one live event stream each (bench/console-listener.ts). "Notified" means a provider took the SMS
 * or a console received the notification, each timed where it arrived; both are printed apart.
 *
 *   npm run bench:storm [-- --nodes 10000 --procs 4 --down 8000 --fresh 300 --window 15000 --fleet-nicer 10 --drill 5 --broker mosquitto|nats
 *                          --slow-host <percent> --slow-host-burst <ms>]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inArray, sql } from "drizzle-orm";
import { alarms, incidents } from "../cloud/db/schema";
import type { Db } from "../cloud/db/client";
import type { IngestStats } from "../cloud/ingest/ingest";
import { createStaffToken } from "../cloud/auth/tokens";
import { startMosquitto } from "../tests/support/mosquitto";
import { startNatsCluster } from "../tests/support/nats-cluster";
import { Worker } from "./child";
import { checkpointsText, lockHoldsText, lockWaitsText, startBenchCloud, type CloudMeasures } from "./bench-cloud";
import { cpuShares, cpuSharesText, readCpuTicks, type CpuTicks } from "./machine-cpu";
import { startSlowHost } from "./slow-host";
import { benchSmsProvider } from "./sms-provider";
import { firstTierOf, seedStreet, stormNodeId } from "./street";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const NODES = arg("nodes", 10_000);
const PROCS = arg("procs", Math.max(1, Math.ceil(NODES / 2500)));
const DOWN_MS = arg("down", 8000);
const FRESH = arg("fresh", 300);
const WINDOW_MS = arg("window", 15_000);
/**
 * Alarms the calm fleet raises before the storm, each acknowledged by its building's lead once
 * someone was told: the storm is a broker's restart under a cloud that has been running, and a
 * running cloud has handled incidents before. Without them the storm's first alarm is the
 * cloud's first ever, and pays its cold start (the routing directory's first load, code run for
 * the first time, the first SMS connection): about 50 ms more than the next ones on a calm broker
 * (`npm run bench:first-alarm`), 110 ms in a storm's first moments. `--drill 0` leaves the cloud cold.
 */
const DRILL = arg("drill", 5);
/**
 * How much lower the simulated fleet's processes are scheduled than the cloud and the broker. In
 * a deployment the 10,000 nodes are 10,000 boards, not processes on the cloud's two cores; at
 * equal priority here the fleet's reconnect wave took most of the machine (the cloud got about
 * 60 % of one core while it reconnected). `--fleet-nicer 0` runs them at equal priority.
 */
const FLEET_NICER = arg("fleet-nicer", 10);
/**
 * The broker tier: `mosquitto` (the default; the project's config) or `nats` (nats-server's MQTT
 * listener and JetStream, one server, the cloud on INGEST_TRANSPORT=nats's path): a broker that
 * runs on every core, where Mosquitto runs one thread.
 */
const BROKER = process.argv.includes("--broker") ? process.argv[process.argv.indexOf("--broker") + 1] : "mosquitto";
/**
 * A slow host, simulated from the broker's restart until the storm settles (bench/slow-host.ts):
 * this share of every core taken away in bursts of about SLOW_HOST_BURST_MS. 0, the default, takes none.
 */
const SLOW_HOST_PERCENT = arg("slow-host", 0);
const SLOW_HOST_BURST_MS = arg("slow-host-burst", 20);
/** Share of nodes that raised an alarm, and an event, while the broker was away (replayed). */
const OFFLINE_ALARM_SHARE = 0.01;
const OFFLINE_EVENT_SHARE = 0.05;
const GRACE_MS = 60_000;
/** The fresh alarms raised this long after the broker's return are shown apart (most nodes reconnect in it). */
const WAVE_MS = 6000;

const nodeId = stormNodeId;
const wallNow = () => performance.timeOrigin + performance.now();

/** BENCH_HEAP_SNAPSHOT=<dir>: the cloud process's heap, written there (for Chrome DevTools' Memory tab). */
async function heapSnapshot(cloud: Worker, moment: string): Promise<void> {
  const dir = process.env.BENCH_HEAP_SNAPSHOT;
  if (dir) process.stderr.write(`bench:storm: heap snapshot ${(await cloud.ask<{ file: string }>({ cmd: "heap-snapshot", dir, moment })).file}\n`);
}

function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

const pct = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN);

interface FleetReport {
  connected: number;
  connectedAt: Array<number | null>;
  replayed: number;
  replayedAlarms: number;
  outboxLeft: number;
  telemetryDropped: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sw-storm-"));
  if (BROKER !== "mosquitto" && BROKER !== "nats") throw new Error(`--broker is mosquitto or nats, not ${BROKER}`);
  const broker = await startBrokerTier(dir);
  const { config: smsConfig, listener } = await benchSmsProvider();
  const { cloud, url: cloudUrl, database } = await startBenchCloud({
    brokerUrl: broker.url,
    natsServers: broker.natsServers,
    instanceId: `storm-${process.pid}`,
    sms: smsConfig,
    logFile: join(dir, "cloud.log"),
    // BENCH_CLOUD_NODE_FLAGS: node's own flags for the cloud's process only (`--trace-gc`, say).
    execArgv: process.env.BENCH_CLOUD_NODE_FLAGS?.split(" ").filter(Boolean),
  });
  // Seeding before the storm, reads after: the bench's own connection.
  const db = database.db;
  const consoles = new Worker("./console-listener.ts", [cloudUrl]);
  const probe = new Worker("./alarm-probe.ts", [broker.url]);
  const workers: Worker[] = [listener, consoles, probe];
  let stopSlowHost = () => {};
  try {
    const personOf = await seedStreet(db, NODES, nodeId);
    const per = Math.ceil(NODES / PROCS);
    const fleets: Array<{ worker: Worker; first: number; count: number }> = [];
    for (let p = 0; p < PROCS; p++) {
      const first = p * per;
      const count = Math.min(per, NODES - first);
      const worker = new Worker("./storm-fleet.ts", [broker.url, String(first), String(count)], { nicer: FLEET_NICER });
      workers.push(worker);
      fleets.push({ worker, first, count });
    }
    await Promise.all([consoles.ready, probe.ready, ...fleets.map((f) => f.worker.ready)]);
    await probe.ask({ cmd: "subscribe" });
    const all = <T>(request: object) => Promise.all(fleets.map((f) => f.worker.ask<T>(request)));
    /** The drill (DRILL): alarms on these nodes, each told to someone and then acknowledged by its building's lead. Returns the SMS the provider took meanwhile. */
    const drill = async (drillNodes: number[]): Promise<number> => {
      if (drillNodes.length === 0) return 0;
      const mine = (f: { first: number; count: number }) => drillNodes.filter((i) => i >= f.first && i < f.first + f.count);
      const raised = (await Promise.all(fleets.map((f) => f.worker.ask<{ published: Array<{ node: string }> }>({ cmd: "fresh", nodes: mine(f), overMs: 1000 })))).flatMap((r) => r.published);
      const until = performance.now() + 20_000;
      let delivered = await firstDelivered(db, listener, consoles);
      while (raised.some((r) => delivered.sms[r.node] === undefined) && performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        delivered = await firstDelivered(db, listener, consoles);
      }
      const opened = await db.select({ id: incidents.id, nodeId: incidents.nodeId }).from(incidents).where(inArray(incidents.nodeId, raised.map((r) => r.node)));
      if (opened.length !== raised.length || raised.some((r) => delivered.sms[r.node] === undefined)) throw new Error(`the drill's ${raised.length} alarms did not all reach someone within 20 s`);
      for (const { id, nodeId } of opened) {
        const lead = firstTierOf(Number(nodeId!.slice(nodeId!.indexOf("-") + 1)), personOf)[0];
        const token = await createStaffToken(db, lead, "storm drill", Date.now());
        const response = await fetch(`${cloudUrl}/api/incidents/${id}/ack`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });
        if (!response.ok) throw new Error(`the drill's incident ${id} could not be acknowledged: ${response.status} ${await response.text()}`);
      }
      process.stderr.write(`bench:storm: drill: ${raised.length} alarms told and acknowledged before the storm\n`);
      return delivered.smsTaken;
    };
    const connectStarted = performance.now();
    const connected = await all<{ connected: number }>({ cmd: "connect" });
    const initialConnectS = (performance.now() - connectStarted) / 1000;
    process.stderr.write(`bench:storm: ${connected.reduce((s, c) => s + c.connected, 0)} nodes connected in ${initialConnectS.toFixed(1)} s over ${PROCS} processes; telemetry every 10 s\n`);
    await all({ cmd: "telemetry" });
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await cloud.ask({ cmd: "idle" });

    // Which nodes raise what: alarms and events while offline, fresh alarms once back, the drill before (disjoint sets).
    const order = shuffle(Array.from({ length: NODES }, (_, i) => i));
    const smsBeforeStorm = await drill(order.slice(NODES - DRILL));
    const receivedBefore = (await cloud.ask<{ stats: IngestStats }>({ cmd: "stats" })).stats.received;
    await heapSnapshot(cloud, "before-storm");
    const offlineAlarms = order.slice(0, Math.round(NODES * OFFLINE_ALARM_SHARE));
    const freshNodes = order.slice(offlineAlarms.length, offlineAlarms.length + FRESH);
    const offlineEvents = order.slice(offlineAlarms.length + FRESH, offlineAlarms.length + FRESH + Math.round(NODES * OFFLINE_EVENT_SHARE));
    const mine = (list: number[], f: { first: number; count: number }) => list.filter((i) => i >= f.first && i < f.first + f.count);

    // The duty staff's consoles: everyone the fresh fires go to has theirs open, in another process.
    const onDuty = [...new Set(freshNodes.flatMap((n) => firstTierOf(n, personOf)))];
    const streams = [];
    for (const staffId of onDuty) streams.push({ staffId, token: await createStaffToken(db, staffId, `storm console ${staffId}`, Date.now()) });
    const opened = await consoles.ask<{ opened: number; failed: string[] }>({ cmd: "open", streams });
    if (opened.failed.length) throw new Error(`consoles could not open their streams: ${opened.failed.join("; ")}`);
    process.stderr.write(`bench:storm: ${opened.opened} staff consoles listening, in one process\n`);

    const slowHost = SLOW_HOST_PERCENT ? await startSlowHost(SLOW_HOST_PERCENT, SLOW_HOST_BURST_MS) : null;
    if (slowHost) stopSlowHost = () => slowHost.stop();
    process.stderr.write(`bench:storm: restarting the broker (${DOWN_MS / 1000} s away)…\n`);
    await all({ cmd: "reset-counters" });
    await cloud.ask({ cmd: "mark" });
    const restart = broker.restart(DOWN_MS);
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS / 2));
    await Promise.all(fleets.map((f) => f.worker.ask({ cmd: "outbox", alarms: mine(offlineAlarms, f), events: mine(offlineEvents, f) })));
    await restart;
    const brokerUpAt = wallNow();
    const stormStarted = performance.now();
    const cpuAtReturn = readCpuTicks();
    let cpuAtWaveEnd: CpuTicks | null = null;
    const waveEnds = setTimeout(() => (cpuAtWaveEnd = readCpuTicks()), WAVE_MS);
    const fresh = (await Promise.all(fleets.map((f) => f.worker.ask<{ published: Array<{ node: string; at: number; sentAt: number | null }> }>({ cmd: "fresh", nodes: mine(freshNodes, f), overMs: WINDOW_MS })))).flatMap((r) => r.published);

    // Until every node is back and every outbox is empty, and the fresh and replayed alarms have reached someone.
    const expectNotified = new Set([...fresh.map((f) => f.node), ...offlineAlarms.map(nodeId)]);
    const deadline = performance.now() + GRACE_MS;
    let reports: FleetReport[] = [];
    let delivered: Delivered = { sms: {}, console: {}, any: {}, smsTaken: 0, consoleReceived: 0, incidentEvents: 0, streamsDropped: 0 };
    for (;;) {
      reports = await all<FleetReport>({ cmd: "report" });
      delivered = await firstDelivered(db, listener, consoles);
      const back = reports.reduce((s, r) => s + r.connected, 0) === NODES && reports.every((r) => r.outboxLeft === 0);
      // Every alarm reached someone, and every fresh one by SMS too (so the SMS figures are whole).
      const told = [...expectNotified].every((n) => delivered.any[n] !== undefined) && fresh.every((f) => delivered.sms[f.node] !== undefined);
      if ((back && told) || performance.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const settledS = (performance.now() - stormStarted) / 1000;
    const stormCpu = cpuShares(cpuAtReturn, readCpuTicks());
    stopSlowHost();
    clearTimeout(waveEnds);
    const waveCpu = cpuShares(cpuAtReturn, cpuAtWaveEnd);
    const measures = await cloud.ask<CloudMeasures>({ cmd: "measure" });
    await heapSnapshot(cloud, "storm-settled");
    await cloud.ask({ cmd: "idle" });
    reports = await all<FleetReport>({ cmd: "report", full: true });

    const reconnectMs = reports
      .flatMap((r) => r.connectedAt)
      .filter((at): at is number => at !== null)
      .map((at) => at - brokerUpAt)
      .sort((a, b) => a - b);
    const firsts = delivered.any;
    const latencyBy = (at: Record<string, number>) => fresh.filter((f) => at[f.node] !== undefined).map((f) => at[f.node] - f.at).sort((a, b) => a - b);
    const latencies = latencyBy(firsts);
    const smsLatencies = latencyBy(delivered.sms);
    const consoleLatencies = latencyBy(delivered.console);
    // The reconnect wave's first seconds against the rest of the window: where the p99 comes from.
    const raisedInWave = (inWave: boolean) =>
      fresh
        .filter((f) => (f.at - brokerUpAt < WAVE_MS) === inWave && firsts[f.node] !== undefined)
        .map((f) => firsts[f.node] - f.at)
        .sort((a, b) => a - b);
    const early = raisedInWave(true);
    const late = raisedInWave(false);
    const lostFresh = fresh.filter((f) => firsts[f.node] === undefined).length;
    const lostReplayed = offlineAlarms.filter((i) => firsts[nodeId(i)] === undefined).length;
    const ms = (sorted: number[]) => `${pct(sorted, 0.5).toFixed(1)} / ${pct(sorted, 0.99).toFixed(1)} / ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`;
    const storedAlarms = await db
      .select({ nodeId: alarms.nodeId })
      .from(alarms)
      .where(inArray(alarms.nodeId, [...expectNotified]));
    const notStored = expectNotified.size - new Set(storedAlarms.map((r) => r.nodeId)).size;
    // Where the time went, from the database's own timestamps (same wall clock as the fleet).
    const freshIds = fresh.map((f) => f.node);
    const storedAt = new Map((await db.select({ nodeId: alarms.nodeId, at: alarms.receivedAt }).from(alarms).where(inArray(alarms.nodeId, freshIds))).map((r) => [r.nodeId, r.at]));
    const notifiedAt = new Map(
      (await db.select({ nodeId: incidents.nodeId, at: incidents.firstNotifiedAt }).from(incidents).where(inArray(incidents.nodeId, freshIds))).map((r) => [r.nodeId, r.at]),
    );
    const ingestMs = fresh.filter((f) => storedAt.has(f.node)).map((f) => storedAt.get(f.node)! - f.at).sort((a, b) => a - b);
    const { arrivals } = await probe.ask<{ arrivals: Record<string, number[]> }>({ cmd: "report" });
    /** When the bystander had the fresh alarm's copy (its first delivery at or after the alarm was raised). */
    const probeAt = (f: (typeof fresh)[number]) => (arrivals[f.node] ?? []).find((at) => at >= f.at);
    const brokerMs = fresh
      .map((f) => (probeAt(f) ?? NaN) - f.at)
      .filter((ms) => !Number.isNaN(ms))
      .sort((a, b) => a - b);
    // The cloud's own share, alarm by alarm: from the bystander's copy to the first notification. On
    // a machine whose speed moves from run to run, the broker's share moves with it; this does less.
    const cloudMs = fresh
      .filter((f) => probeAt(f) !== undefined && firsts[f.node] !== undefined)
      .map((f) => firsts[f.node] - probeAt(f)!)
      .sort((a, b) => a - b);
    // The node's own share: raised → its PUBLISH handed to the socket (the fleet runs at a lower priority).
    const sendMs = fresh.filter((f) => f.sentAt !== null).map((f) => f.sentAt! - f.at).sort((a, b) => a - b);
    const sentToFirst = fresh.filter((f) => f.sentAt !== null && firsts[f.node] !== undefined).map((f) => firsts[f.node] - f.sentAt!).sort((a, b) => a - b);
    if (process.env.BENCH_DUMP_FRESH) {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(process.env.BENCH_DUMP_FRESH, JSON.stringify(fresh.map((f) => ({ node: f.node, t: f.at - brokerUpAt, sent: f.sentAt, at: f.at, probe: probeAt(f) ?? null, stored: storedAt.get(f.node) ?? null, notified: notifiedAt.get(f.node) ?? null, first: firsts[f.node] ?? null }))));
    }
    const routingMs = fresh.filter((f) => storedAt.has(f.node) && notifiedAt.get(f.node)).map((f) => notifiedAt.get(f.node)! - storedAt.get(f.node)!).sort((a, b) => a - b);
    const [{ dupes }] = await db.all<{ dupes: number }>(sql`select count(*) - count(distinct node_id || '/' || boot_id || '/' || seq) as dupes from alarms`);
    const { stats } = await cloud.ask<{ stats: IngestStats }>({ cmd: "stats" });
    const { peak, peakThreadHeap } = measures;
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
    const rows: Array<[string, string]> = [
      ["a slow host, simulated (--slow-host)", slowHost?.text ?? "no"],
      ["simulated nodes (firmware link contract, mqtt.js, child processes)", `${NODES} in ${PROCS} processes${FLEET_NICER ? `, niceness +${FLEET_NICER}` : ""}`],
      [`broker away (${BROKER === "nats" ? "nats-server, JetStream" : "Mosquitto"}; SIGTERM, persistence, restart)`, `${(DOWN_MS / 1000).toFixed(0)} s`],
      ["reconnect: all nodes back after the broker (p50 / p99 / last)", `${(pct(reconnectMs, 0.5) / 1000).toFixed(1)} / ${(pct(reconnectMs, 0.99) / 1000).toFixed(1)} / ${((reconnectMs.at(-1) ?? NaN) / 1000).toFixed(1)} s (${reconnectMs.length} of ${NODES})`],
      ["replayed from outboxes (QoS 1, PUBACKed)", `${reports.reduce((s, r) => s + r.replayed, 0)} messages (alarms among them, fresh ones included: ${reports.reduce((s, r) => s + r.replayedAlarms, 0)})`],
      ["ingest received during the storm", `${stats.received - receivedBefore} messages (${stats.duplicates} duplicates since start, ${Object.values(stats.rejected).reduce((a, b) => a + b, 0)} rejected, ${stats.failed} failed)`],
      ["fresh alarms raised during the reconnect wave", `${fresh.length} over ${(WINDOW_MS / 1000).toFixed(0)} s`],
      ["staff consoles open (one event stream each, another process)", `${onDuty.length} (streams dropped: ${delivered.streamsDropped})`],
      ["fresh: publish → first notification (any channel) p50", `${pct(latencies, 0.5).toFixed(1)} ms`],
      ["fresh: publish → first notification (any channel) p99", `${pct(latencies, 0.99).toFixed(1)} ms`],
      ["fresh: publish → first notification (any channel) max", `${(latencies.at(-1) ?? NaN).toFixed(1)} ms`],
      ["  console stream, received by the client p50 / p99 / max", `${ms(consoleLatencies)} (${consoleLatencies.length} of ${fresh.length})`],
      ["  SMS, accepted by the provider p50 / p99 / max", `${ms(smsLatencies)} (${smsLatencies.length} of ${fresh.length})`],
      [`  raised in the wave's first ${WAVE_MS / 1000} s / later: p50 / p99`, `${pct(early, 0.5).toFixed(0)} / ${pct(early, 0.99).toFixed(0)} ms (${early.length}) / ${pct(late, 0.5).toFixed(0)} / ${pct(late, 0.99).toFixed(0)} ms (${late.length})`],
      ["  raised → PUBLISH handed to the node's socket p50 / p99 / max", `${ms(sendMs)} (${sendMs.length} of ${fresh.length})`],
      ["  PUBLISH on the socket → first notification p50 / p99 / max", ms(sentToFirst)],
      ["  publish → delivered by the broker to a bystander subscriber p50 / p99", `${pct(brokerMs, 0.5).toFixed(0)} / ${pct(brokerMs, 0.99).toFixed(0)} ms (${brokerMs.length} of ${fresh.length})`],
      ["  of which publish → stored by the ingest p50 / p99", `${pct(ingestMs, 0.5).toFixed(0)} / ${pct(ingestMs, 0.99).toFixed(0)} ms`],
      ["  of which stored → first delivery confirmed p50 / p99", `${pct(routingMs, 0.5).toFixed(0)} / ${pct(routingMs, 0.99).toFixed(0)} ms`],
      ["  the bystander's copy → first notification p50 / p99 (the cloud's own share)", `${pct(cloudMs, 0.5).toFixed(0)} / ${pct(cloudMs, 0.99).toFixed(0)} ms (${cloudMs.length} of ${fresh.length})`],
      ["lost: fresh / replayed alarms without a notification", `${lostFresh} / ${lostReplayed} (of ${fresh.length} / ${offlineAlarms.length})`],
      ["lost: alarms not in the database", `${notStored}; stored twice: ${dupes}`],
      ["SMS the provider took in the storm (every person told)", String(delivered.smsTaken - smsBeforeStorm)],
      ["drill before the storm (alarms told and acknowledged)", DRILL ? String(DRILL) : "none: the storm's first alarm is the cloud's first"],
      ["console notifications received / incident updates received", `${delivered.consoleReceived} / ${delivered.incidentEvents}`],
      ["storm settled (every node back, outboxes empty, alarms notified)", `${settledS.toFixed(1)} s`],
      [`the machine's CPU in the wave's first ${WAVE_MS / 1000} s`, cpuSharesText(waveCpu)],
      ["the machine's CPU from the broker's return until settled", cpuSharesText(stormCpu)],
      ["cloud event-loop delay during the storm p99 / max", `${measures.loopDelay.p99Ms.toFixed(0)} / ${measures.loopDelay.maxMs.toFixed(0)} ms`],
      ["checkpoints of the database's log (their own thread)", checkpointsText(measures.checkpoints)],
      ["cloud RSS (its own process) before the storm / peak", `${mb(measures.rssBefore)} / ${mb(peak.rss)}`],
      ["  at the peak: JS heap used / heap total / external (array buffers)", `${mb(peak.heapUsed)} / ${mb(peak.heapTotal)} / ${mb(peak.external)} (${mb(peak.arrayBuffers)})`],
      ["  at the peak: the bulk thread's JS heap used / total", peakThreadHeap ? `${mb(peakThreadHeap.used)} / ${mb(peakThreadHeap.total)} (thread restarts: ${measures.threadRestarts})` : "no thread"],
      ["  the bulk thread's scheduling (niceness: the thread / the loop)", measures.threadNice ? `${measures.threadNice.thread ?? "level"} / ${measures.threadNice.loop}` : "no thread"],
      ["  the loop's writes that waited for another thread's write (mean / max)", lockWaitsText(measures.lockWaits)],
      ["  the bulk thread's holds of the write lock (mean; longer than …)", lockHoldsText(measures.bulkLockHolds)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\nbench:storm — ${new Date().toISOString()}\n`);
    for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
    const met = pct(latencies, 0.99) < 100 && lostFresh + lostReplayed + notStored === 0 && peak.rss < 400 * 1024 * 1024;
    process.stdout.write(`  goal: fresh p99 < 100 ms, 0 lost, RSS < 400 MB → ${met ? "met" : "NOT met"}\n`);
    await Promise.all(workers.map((w) => Promise.race([w.ask({ cmd: "close" }), new Promise((resolve) => setTimeout(resolve, 3000))])));
    // The cloud prints its statement profile (BENCH_SQL_PROFILE) as it closes.
    await cloud.ask({ cmd: "close" });
  } finally {
    stopSlowHost();
    for (const worker of workers) worker.kill();
    cloud.kill();
    database.close();
    await broker.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench:storm failed: ${error.stack}\n`);
    process.exit(1);
  },
);

/** The storm's broker (BROKER), with what the cloud needs to know of it. */
async function startBrokerTier(dir: string): Promise<{ url: string; natsServers?: string[]; restart(downMs: number): Promise<void>; stop(): Promise<void> }> {
  if (BROKER === "nats") {
    const cluster = await startNatsCluster(1, { logFiles: true });
    process.stderr.write(`bench:storm: nats-server's log: ${cluster.dir}/n0.log\n`);
    return { url: cluster.mqttUrls, natsServers: cluster.natsUrls.split(","), restart: (downMs) => cluster.restart(downMs), stop: () => cluster.stop() };
  }
  return startMosquitto({ extraConfig: ["persistence true", `persistence_location ${dir}/`, "autosave_interval 0"] });
}

/** First notification per alarm's node, by channel and on any, each as its receiver noted it (wall clock, ms). */
interface Delivered {
  sms: Record<string, number>;
  console: Record<string, number>;
  any: Record<string, number>;
  smsTaken: number;
  consoleReceived: number;
  incidentEvents: number;
  streamsDropped: number;
}

/** The SMS provider's first acceptance and the consoles' first received notification, per incident, mapped to its node. */
async function firstDelivered(db: Db, listener: Worker, consoles: Worker): Promise<Delivered> {
  const sms = await listener.ask<{ first: Record<string, number>; accepted: number }>({ cmd: "report" });
  const seen = await consoles.ask<{ first: Record<string, number>; notifications: number; incidentEvents: number; dropped: number }>({ cmd: "report" });
  const ids = [...new Set([...Object.keys(sms.first), ...Object.keys(seen.first)])].map(Number);
  const nodeOf = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const row of await db.select({ id: incidents.id, nodeId: incidents.nodeId }).from(incidents).where(inArray(incidents.id, ids.slice(i, i + 500)))) {
      if (row.nodeId) nodeOf.set(row.id, row.nodeId);
    }
  }
  const byNode = (first: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const [id, at] of Object.entries(first)) {
      const node = nodeOf.get(Number(id));
      if (node) out[node] = Math.min(out[node] ?? Infinity, at);
    }
    return out;
  };
  const bySms = byNode(sms.first);
  const byConsole = byNode(seen.first);
  const any: Record<string, number> = { ...bySms };
  for (const [node, at] of Object.entries(byConsole)) any[node] = Math.min(any[node] ?? Infinity, at);
  return { sms: bySms, console: byConsole, any, smsTaken: sms.accepted, consoleReceived: seen.notifications, incidentEvents: seen.incidentEvents, streamsDropped: seen.dropped };
}
