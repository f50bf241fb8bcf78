/**
 * The bulk ingest's thread (bulk-thread.ts starts it): its own database connection, its own
 * ingest and the MQTT session for everything but alarms. It tells its parent what the ingest
 * would have told the cloud's loop — log lines, stats, and any new alarm (none is expected on
 * this session, but one that a session from before the alarm lane still delivers is announced,
 * not lost) — and answers `idle` and `close`.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { AlarmRecord } from "../alarms/alarm-record";
import { AlarmFeed } from "../alarms/alarm-feed";
import { openDatabase } from "../db/client";
import { WriteLock, writeThroughLock } from "../db/write-lock";
import type { Logger } from "../log";
import { startLivenessMonitor } from "../nodes/liveness";
import { startTelemetryKeeper } from "../telemetry/retention";
import { repeatWithoutOverlap } from "../time/repeat-without-overlap";
import { SharedCalm } from "../time/urgency";
import { lowerThisThread, setThreadNice } from "../threads/thread-priority";
import { createIngest, type IngestStats } from "./ingest";
import { startSubscriber } from "./subscriber";
import type { BulkThreadData, FromBulk, Housekeeping, ToBulk } from "./bulk-thread";

const port = parentPort!;
const data = workerData as BulkThreadData;
const send = (message: FromBulk) => port.postMessage(message);
const log: Logger = (level, message, fields) => send({ type: "log", level, message, fields });

/**
 * Most messages per transaction here. The thread shares SQLite's one write lock with the loop's
 * alarm lane and desk, and an alarm's write waits for the transaction under way: a full batch of
 * 1,000 held the lock for 60–70 ms while 10,000 nodes reconnected (bench:storm,
 * BENCH_TRACE_SLOW). With 250, bench:flood met its goals in 14 of 27 runs, with 1,000 in 1 of 4.
 * With 100 (2026-12-07, the cloud in its own process): bench:storm's first notification p99 89,
 * 104, 63 ms against 143, 111, 136 ms with 250 on the same code; bench:flood met in 4 of 4. With
 * 50: 62, 80, 86, 85 ms. A commit here costs no disk sync, so smaller ones cost little.
 * (synchronous = NORMAL; durable.ts syncs once per settled batch, pipelined with the next.)
 */
const BULK_THREAD_BATCH = 50;

/** Longest one write of this thread waits, as it takes the lock, for the cloud's alarms in hand. */
const GIVE_WAY_MS = 200;

/** How often the stats are sent while they change. */
const STATS_EVERY_MS = 200;
async function main(): Promise<void> {
  const lowered = data.nicer > 0 ? lowerThisThread(data.nicer) : null;
  if (data.nicer > 0 && lowered === null) log("warn", "the bulk ingest thread could not lower its scheduling priority: it competes with the alarm path as an equal");
  // The parent migrated the database before starting this thread (and, bundled, this module's
  // own path is not where the migrations are); its checkpoint thread keeps the log for both
  // connections (checkpoints.ts).
  const database = await openDatabase(data.databaseUrl, data.databaseAuthToken, { migrate: false, checkpoints: false });
  const lock = new WriteLock(data.writeLock);
  // Lowered and asked to (`raised`), it is raised while the loop waits for its hold on the lock (write-lock.ts: Inheritance), and goes back below as it lets go.
  if (lowered && data.raised) lock.inherit({ holder: { tid: lowered.tid, lowerAgain: () => setThreadNice(lowered.tid, lowered.nice) } });
  const urgency = new SharedCalm(data.urgency);
  // Asked again as each write takes the lock, not only before a batch is built: of the bulk
  // writes that held the lock past 10 ms in a reconnect wave, one in ten had begun while an
  // alarm was already in hand (bench:storm, the lock's holds traced).
  writeThroughLock(database.client, lock, { first: false, giveWay: () => (urgency.pressing ? urgency.calm(GIVE_WAY_MS) : undefined) });
  const feed = new AlarmFeed();
  feed.subscribe((alarm: AlarmRecord) => send({ type: "alarm", alarm }));
  const ingest = createIngest({ db: database.db, feed, log, now: Date.now, maxBatch: BULK_THREAD_BATCH, durable: database.durable, calm: (ms) => urgency.calm(ms), reopen: database.reopen });
  let subscription;
  try {
    subscription = await startSubscriber(
      { ...data.mqtt, holdReading: () => (urgency.pressing ? urgency.calm(data.holdMs) : undefined) },
      ingest,
      log,
    );
  } catch (error) {
    database.close();
    send({ type: "failed", error: (error as Error).message });
    return;
  }
  const running = subscription;
  const keeper = startTelemetryKeeper({
    db: database.db,
    now: Date.now,
    log,
    settings: data.telemetry.settings,
    everyMs: 0,
    calm: () => urgency.calm(data.telemetry.yieldMs),
  });
  const liveness = startLivenessMonitor({ db: database.db, now: Date.now, log, everyMs: 0 });
  // The housekeeping runs are chained here (not on their own timers): one at a time, whoever
  // asks, and close waits for the one under way before the connection goes.
  let housekeeping: Promise<unknown> = Promise.resolve();
  const housekeep = (task: Housekeeping) => {
    const run = housekeeping.catch(() => undefined).then((): Promise<unknown> => (task === "telemetry" ? keeper.run() : liveness.sweep()));
    housekeeping = run;
    return run;
  };
  const timers = [
    repeatWithoutOverlap(() => housekeep("telemetry"), { everyMs: data.telemetry.everyMs, log, failure: "telemetry rollup or retention failed" }),
    repeatWithoutOverlap(() => housekeep("liveness"), { everyMs: data.liveness.everyMs, log, failure: "liveness sweep failed" }),
  ];
  const heap = () => {
    const { heapUsed, heapTotal } = process.memoryUsage();
    return { used: heapUsed, total: heapTotal };
  };
  const snapshot = (): FromBulk => ({
    type: "stats",
    stats: plainStats(ingest.stats),
    connected: running.connected,
    acknowledged: running.acknowledged,
    heap: heap(),
    lockHolds: { ...lock.holds, longerThan: [...lock.holds.longerThan] },
  });
  let last = "";
  const stats = setInterval(() => {
    const now = snapshot();
    // Sent when the counts change (the heap and the lock's holds move all the time: they ride along).
    const text = JSON.stringify({ ...now, heap: undefined, lockHolds: undefined });
    if (text !== last) send(now);
    last = text;
  }, STATS_EVERY_MS);
  port.on("message", async (message: ToBulk) => {
    switch (message.type) {
      case "idle":
        await ingest.idle();
        send(snapshot());
        send({ type: "idle", id: message.id });
        return;
      case "housekeep":
        try {
          send({ type: "housekept", id: message.id, result: await housekeep(message.task) });
        } catch (error) {
          send({ type: "housekept", id: message.id, error: (error as Error).message });
        }
        return;
      case "close":
        clearInterval(stats);
        timers.forEach((stop) => stop());
        await housekeeping.catch(() => undefined);
        await running.close();
        send(snapshot());
        database.close();
        send({ type: "closed" });
        return;
    }
  });
  send({ type: "ready", nice: lowered?.nice ?? null });
}

/** The stats as data (their `rejectedByNode` is a getter). */
function plainStats(stats: IngestStats): IngestStats {
  return { ...stats, rejected: { ...stats.rejected }, rejectedByNode: stats.rejectedByNode };
}

main().catch((error: Error) => send({ type: "failed", error: error.message }));
