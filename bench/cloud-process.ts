/**
 * A bench's cloud in a process of its own, as it is deployed: its event loop, its two threads and
 * its RSS hold the cloud and nothing else. The bench's own bookkeeping (the fleet's reports, the
 * reads that check what was stored and notified) runs in the parent, which speaks to this process
 * over IPC (bench/child.ts: one answer per request, in order) and reads the database through a
 * connection of its own.
 *
 * Started by startBenchCloud (bench-cloud.ts). argv[2]: JSON of `CloudProcessConfig`. The log goes, at info level as in a deployment, to
 * `logFile` (the bench's terminal stays readable).
 */
import fs, { createWriteStream, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { getPriority } from "node:os";
import { Session } from "node:inspector/promises";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { writeHeapSnapshot } from "node:v8";
import { join } from "node:path";
import { createLogger } from "../cloud/log";
import { startCloud } from "../cloud/server";
import { profileStatements, printStatementProfile, traceSlowStatements, type Client } from "./sql-profile";
import type { LockHolds, LockWaits } from "../cloud/db/write-lock";
import type { CloudMeasures, CloudProcessConfig } from "./bench-cloud";
import { benchSms, benchSmsSettings } from "./sms-provider";
import { startProviderThread } from "../cloud/notify/providers/provider-thread";

/** How often the RSS is sampled for its peak (the heap's figures are read only at a new peak). */
const RSS_SAMPLE_MS = 50;

/**
 * BENCH_TRACE_SYNC=1: every fdatasync's time (the durable log's, before an alarm is acknowledged),
 * printed with `measure` as count, p50, p99 and longest. The builtin is wrapped, and the wrapper
 * made visible to modules that imported it by name (syncBuiltinESMExports).
 */
const syncMs: number[] = [];
function traceSyncs(): void {
  const original = fs.fdatasync;
  fs.fdatasync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
    const started = performance.now();
    original(fd, (error) => {
      syncMs.push(performance.now() - started);
      callback(error);
    });
  }) as typeof fs.fdatasync;
  syncBuiltinESMExports();
}
if (process.env.BENCH_TRACE_SYNC) traceSyncs();

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]) as CloudProcessConfig;
  const logFile = createWriteStream(config.logFile);
  const log = createLogger((line) => logFile.write(`${line}\n`), "info");
  // The SMS adapter on its own thread, as system/start.ts runs a configured provider;
  // BENCH_PROVIDERS_ON_LOOP=1 keeps it on the event loop, to compare.
  const providers = process.env.BENCH_PROVIDERS_ON_LOOP ? null : await startProviderThread({ sms: benchSmsSettings(config.sms), voice: null }, { log });
  const cloud = await startCloud({
    bulkThread: true,
    // BENCH_BULK_NICER=<n>: the bulk thread that much below the loop instead of the default (0: level), to compare.
    bulkThreadNicer: process.env.BENCH_BULK_NICER === undefined ? undefined : Number(process.env.BENCH_BULK_NICER),
    // BENCH_BULK_RAISED=1: the lowered thread is raised while the loop waits for its write (off by default), to compare.
    bulkThreadRaised: Boolean(process.env.BENCH_BULK_RAISED),
    databaseUrl: config.databaseUrl,
    // A plain persistent subscription: Mosquitto restores it after its restart (it does not restore $share ones).
    // On NATS (no MQTT 5): commands over its MQTT listener, node messages from JetStream.
    mqtt: { url: config.brokerUrl, protocolVersion: config.natsServers ? 4 : 5 },
    nats: config.natsServers ? { servers: config.natsServers } : undefined,
    instanceId: config.instanceId,
    port: 0,
    host: "127.0.0.1",
    log,
    routing: { sms: providers?.sms ?? benchSms(config.sms) },
  });
  const client = cloud.database.client as unknown as Client;
  if (process.env.BENCH_TRACE_SLOW) traceSlowStatements(client);
  const profile = process.env.BENCH_SQL_PROFILE ? profileStatements(client) : null;

  let rssBefore = process.memoryUsage().rss;
  let peak = process.memoryUsage();
  let peakThreadHeap = cloud.bulkThread?.heap ?? null;
  const rssTimer = setInterval(() => {
    if (process.memoryUsage.rss() <= peak.rss) return;
    peak = process.memoryUsage();
    peakThreadHeap = cloud.bulkThread?.heap ?? null;
  }, RSS_SAMPLE_MS);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let holdsAtMark: LockHolds | null = null;
  // BENCH_CPU_PROFILE=<dir>: the loop's CPU profile from `mark` to `measure`, for DevTools or bench/profile-summary.ts.
  const profileDir = process.env.BENCH_CPU_PROFILE;
  const inspector = profileDir ? new Session() : null;
  inspector?.connect();

  const answer = (message: object) => process.send!(message);
  // `watch`: when the alarms stored for one node reach a count (bench:flood's flooding node).
  const watched = { nodeId: "", count: 0, stored: 0, reachedAtMs: 0 };
  cloud.feed.subscribe((alarm) => {
    if (alarm.nodeId === watched.nodeId && ++watched.stored === watched.count) watched.reachedAtMs = Date.now();
  });

  process.on("message", async (request: { cmd: string; dir?: string; moment?: string; nodeId?: string; count?: number }) => {
    switch (request.cmd) {
      case "idle":
        await cloud.ingest.idle();
        return answer({});
      case "desk-idle":
        await cloud.routing.desk.idle();
        return answer({});
      case "watch":
        Object.assign(watched, { nodeId: request.nodeId!, count: request.count!, stored: 0, reachedAtMs: 0 });
        return answer({});
      case "watched":
        return answer({ stored: watched.stored, reachedAtMs: watched.reachedAtMs });
      case "stats":
        return answer({ stats: cloud.ingest.stats });
      case "mark":
        // The storm starts: the RSS before it, its peak from here, the loop's delay from here.
        rssBefore = process.memoryUsage().rss;
        peak = process.memoryUsage();
        peakThreadHeap = cloud.bulkThread?.heap ?? null;
        // The lock's waits counted from here (the bench's own reading of what the database keeps).
        if (cloud.database.lockWaits) Object.assign(cloud.database.lockWaits as LockWaits, { count: 0, totalMs: 0, maxMs: 0, raised: 0, refused: 0 } satisfies LockWaits);
        // The bulk thread's holds are counted there: what it held by now is taken off at `measure`.
        holdsAtMark = cloud.bulkThread?.lockHolds ?? null;
        profile?.clear();
        syncMs.length = 0;
        loopDelay.reset();
        loopDelay.enable();
        if (inspector) {
          await inspector.post("Profiler.enable");
          await inspector.post("Profiler.setSamplingInterval", { interval: 500 });
          await inspector.post("Profiler.start");
          // V8's profile times are the monotonic clock's µs (as process.hrtime): this pins them to the wall clock the fleet stamps with.
          process.stderr.write(`bench: profile clock ${process.hrtime.bigint() / 1000n} µs = wall ${(performance.timeOrigin + performance.now()).toFixed(1)} ms\n`);
        }
        return answer({});
      case "measure": {
        loopDelay.disable();
        if (inspector) {
          const { profile } = await inspector.post("Profiler.stop");
          const file = join(profileDir!, `cloud-${process.pid}.cpuprofile`);
          writeFileSync(file, JSON.stringify(profile));
          process.stderr.write(`bench: the cloud's CPU profile from the mark on: ${file}\n`);
        }
        if (syncMs.length) {
          const sorted = [...syncMs].sort((a, b) => a - b);
          const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)].toFixed(1);
          process.stderr.write(`bench: fdatasync from the mark on: ${sorted.length} calls, p50 ${at(0.5)} / p99 ${at(0.99)} / max ${sorted.at(-1)!.toFixed(1)} ms\n`);
        }
        const measures: CloudMeasures = {
          rssBefore,
          peak,
          peakThreadHeap,
          threadRestarts: cloud.bulkThread?.restarts ?? 0,
          threadNice: cloud.bulkThread ? { thread: cloud.bulkThread.nice, loop: getPriority() } : null,
          loopDelay: { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 },
          checkpoints: cloud.database.checkpoints && { ...cloud.database.checkpoints },
          lockWaits: cloud.database.lockWaits && { ...cloud.database.lockWaits },
          bulkLockHolds: since(cloud.bulkThread?.lockHolds ?? null, holdsAtMark),
        };
        return answer(measures);
      }
      case "heap-snapshot":
        return answer({ file: writeHeapSnapshot(join(request.dir!, `storm-${request.moment}-${process.pid}.heapsnapshot`)) });
      case "close":
        clearInterval(rssTimer);
        if (profile) printStatementProfile(profile);
        await cloud.close();
        logFile.end();
        answer({});
        return process.exit(0);
    }
  });
  answer({ url: cloud.url });
}

main().catch((error: Error) => {
  process.stderr.write(`bench cloud process failed: ${error.stack}\n`);
  process.exit(1);
});

/** The holds counted after `before` (a thread that started again meanwhile counts from zero: then all of `now`). */
function since(now: LockHolds | null, before: LockHolds | null): LockHolds | null {
  if (!now) return null;
  if (!before || before.count > now.count) return now;
  return { count: now.count - before.count, totalMs: now.totalMs - before.totalMs, longerThan: now.longerThan.map((n, i) => n - before.longerThan[i]) };
}
