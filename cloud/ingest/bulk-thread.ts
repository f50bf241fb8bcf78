import { Worker } from "node:worker_threads";
import type { AlarmFeed } from "../alarms/alarm-feed";
import type { AlarmRecord } from "../alarms/alarm-record";
import { WriteLock, type LockHolds } from "../db/write-lock";
import type { Level, Logger } from "../log";
import type { RetentionSettings } from "../telemetry/retention";
import type { Ingest, IngestStats } from "./ingest";
import type { IngestSubscription, SubscriberOptions } from "./subscriber";
import { threadEntry } from "../threads/worker-bundle";

/**
 * The MQTT session for everything but alarms — telemetry, heartbeats, statuses, events, command
 * acks — on a thread of its own, with its own database connection and ingest (bulk-worker.ts).
 *
 * Why a thread: the embedded libSQL client runs every statement synchronously on the thread that
 * calls it, so with one thread the bulk lane's parsing and writing shared one event loop with
 * the alarm lane, the incident desk and the HTTP API. While 10,000 nodes came back after a broker
 * restart that loop was late by 100–300 ms, and a fresh fire waited behind it both to be stored
 * and to be routed (bench:storm, p99 0.85–1.5 s). On its own thread the bulk lane uses the
 * second core; what it shares with the alarm path is the database file (SQLite takes one writer
 * at a time, each bulk transaction is short, and it still waits while the desk has an alarm in
 * hand, through Urgency's shared count).
 *
 * Data goes one way: the thread writes, and sends its parent log lines, stats and the alarms it
 * stored (none are expected on this session). The parent sends only `idle`, `housekeep` (run a
 * housekeeping task now, for tests) and `close`.
 */
export interface BulkThreadData {
  databaseUrl: string;
  databaseAuthToken?: string;
  mqtt: Omit<SubscriberOptions, "holdReading">;
  /** Urgency.shared: the parent's count of urgent work in hand. */
  urgency: SharedArrayBuffer;
  /** WriteLock.shared: the database's write lock, which the parent's loop takes first. */
  writeLock: SharedArrayBuffer;
  /** Longest the session's reading waits for urgent work (as the parent's holdBulk). */
  holdMs: number;
  /**
   * The fleet's housekeeping, run here rather than on the parent's loop: telemetry rollups and
   * retention, and the liveness sweep. Each is a write of 10–110 ms while a fleet reports
   * (bench:storm, BENCH_SQL_PROFILE: a rollup step 11 ms on average, 40 ms at most; a sweep over
   * 10,000 nodes up to 111 ms), and on the parent's loop each one held the alarm lane and the
   * desk. Both work on what this thread writes. `everyMs` 0: only when asked (`housekeep`).
   */
  telemetry: { settings: RetentionSettings; everyMs: number; yieldMs: number };
  liveness: { everyMs: number };
  /** Steps of niceness the thread lowers itself by, below the loop (BULK_THREAD_NICER); 0 leaves it level. */
  nicer: number;
  /** Lowered, whether it is raised while the loop waits for its hold on the write lock (write-lock.ts: Inheritance). */
  raised: boolean;
}

/**
 * How much lower than the cloud's loop the bulk thread is scheduled. When every node reconnects
 * at once, the broker, the loop's alarm path and this thread (parsing and writing the replayed
 * telemetry, statuses and heartbeats) all want the two cores; at equal priority the thread took
 * its share from the broker's single thread and from the loop, and each alarm waited for both.
 * Lowered, it runs when they pause. bench:storm on one machine, alternated: level against +5 in
 * ten pairs, first notification p99 median about 200 against 125 ms, the broker's own share (the
 * bystander) lower at +5 in 9 of 10; +5 against +10 in seven pairs, 129 against 94 ms, the goal
 * met in 2 against 4. Earlier single runs at +5 and +10 had not shown it, when the threads still
 * met in SQLite's busy handler (write-lock.ts). What it costs: telemetry written later while the
 * machine is saturated (the thread's heap peaked at 100 MB at +10 against 88 at +5, the process's
 * RSS at 388 against 362 MB), and an alarm's write may wait while the thread, holding the write
 * lock, waits for a core. Raising the thread meanwhile (write-lock.ts: Inheritance, the
 * `raised` option) shortened those waits in every run but did not shorten the alarms' way to
 * a person: bench:storm beside a CPU hog, twelve pairs, first notification p99 median 64 against
 * 59 ms, the broker's own share higher in 9 of 12 (the raised thread competes with it). So it is
 * off. Linux only (threads/thread-priority.ts); elsewhere the thread runs level and says so.
 */
export const BULK_THREAD_NICER = 10;

/** Housekeeping the thread runs on its timers, or at once when asked, and what each gives back. */
export interface HousekeepingResults {
  /** TelemetryKeeper.run: rollups, then retention when due. */
  telemetry: void;
  /** LivenessMonitor.sweep: the nodes marked offline. */
  liveness: string[];
}
export type Housekeeping = keyof HousekeepingResults;

export type FromBulk =
  | { type: "ready"; nice: number | null }
  | { type: "failed"; error: string }
  | { type: "log"; level: Level; message: string; fields?: Record<string, unknown> }
  | { type: "alarm"; alarm: AlarmRecord }
  | { type: "stats"; stats: IngestStats; connected: boolean; acknowledged: number; heap: ThreadHeap; lockHolds: LockHolds }
  | { type: "idle"; id: number }
  | { type: "housekept"; id: number; result?: unknown; error?: string }
  | { type: "closed" };

export type ToBulk = { type: "idle"; id: number } | { type: "housekeep"; id: number; task: Housekeeping } | { type: "close" };

/** The thread's own V8 heap (process.memoryUsage() there), bytes. */
export interface ThreadHeap {
  used: number;
  total: number;
}

export interface BulkThread extends IngestSubscription {
  /** The thread's V8 heap as last sent (the process's RSS holds it; the parent's heap figures do not). */
  readonly heap: ThreadHeap | null;
  /** The thread's holds of the write lock it shares with the loop, as last sent (since the thread last started). */
  readonly lockHolds: LockHolds | null;
  /** The thread's ingest counts, as last sent (at most 200 ms old; fresh after `idle`). */
  readonly stats: IngestStats | null;
  /** Resolves once everything the thread's session has handed its ingest so far is written. */
  idle(): Promise<void>;
  /** How often the thread stopped on its own and was started again. */
  readonly restarts: number;
  /** The thread's niceness once lowered (BulkThreadData.nicer), or null if it runs level with the loop. */
  readonly nice: number | null;
  /** Runs one of the thread's housekeeping tasks now, and gives back its result. */
  housekeep<T extends Housekeeping>(task: T): Promise<HousekeepingResults[T]>;
}

/** As RejectionLog.top's default. */
const REJECTED_NODES_SHOWN = 20;

/** The thread's module: bundled, or through tsx for a test's own (threads/worker-bundle.ts). */
const SCRIPT = new URL("./bulk-worker.ts", import.meta.url);

/**
 * The thread's V8 heap. Left to V8's defaults it grew to 127–158 MB while 10,000 nodes
 * reconnected, most of it garbage not yet collected (bench:storm prints it at the RSS peak); with
 * these it peaked at 80 MB used of 88, and the process's peak RSS fell from 501–566 to 456 MB (one
 * run; with an old generation of 64 MB: 27–31 MB used, 443–448 MB). What it keeps alive is far
 * less: at most `receiveMaximum` QoS 1 messages in hand, the QoS 0 telemetry read and not yet
 * written (a second of a city's is about 1 MB), and the batches being written. Should it ever run
 * out, the thread stops and is started again (below): its QoS 1 messages wait at the broker,
 * unacknowledged; QoS 0 telemetry in hand is lost, as QoS 0 may be.
 */
const HEAP_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 8 };

/** After the thread stops on its own, it is started again after this, doubling up to RESTART_MAX_MS. */
const RESTART_FIRST_MS = 200;
const RESTART_MAX_MS = 30_000;

/**
 * Starts the thread; resolves once its session is subscribed, rejects as startSubscriber would.
 * A thread that stops on its own later (an error it did not catch) is logged and started again:
 * without it no heartbeat would be stored and every node would turn "offline" at the next sweep.
 * Its session is persistent, so what came meanwhile waits at the broker. `script` replaces the
 * thread's module (tests).
 */
export function startBulkThread(data: BulkThreadData, feed: AlarmFeed, log: Logger, options: { script?: string } = {}): Promise<BulkThread> {
  /** The thread's first module: the cloud's bundled, or through tsx (a test's module, or if the bundle cannot be written). */
  const entry = () =>
    threadEntry(SCRIPT, {
      override: options.script,
      warn: (error) => log("warn", "the bulk ingest thread runs through tsx: its bundle could not be built", { error: error.message }),
    });
  /** The counts of threads that stopped, so a restart does not set them back to zero. */
  let earlier: IngestStats | null = null;
  let stats: IngestStats | null = null;
  let connected = false;
  let acknowledged = 0;
  let acknowledgedEarlier = 0;
  let heap: ThreadHeap | null = null;
  let lockHolds: LockHolds | null = null;
  let nextId = 0;
  let closing = false;
  let restarts = 0;
  let restartMs = RESTART_FIRST_MS;
  let restartTimer: NodeJS.Timeout | undefined;
  const idles = new Map<number, () => void>();
  const housekeeping = new Map<number, { done: (result: unknown) => void; failed: (error: Error) => void }>();
  let onClosed: (() => void) | undefined;
  let worker: Worker | undefined;
  let nice: number | null = null;

  return new Promise<BulkThread>((resolve, reject) => {
    let started = false;
    const spawn = async () => {
      const { module, script } = await entry();
      if (closing) return;
      const current = new Worker(module, { workerData: { ...data, script }, name: "shouwang-bulk-ingest", resourceLimits: HEAP_LIMITS });
      worker = current;
      let exited = false;
      current.on("message", (message: FromBulk) => {
        switch (message.type) {
          case "ready":
            nice = message.nice;
            started = true;
            connected = true;
            restartMs = RESTART_FIRST_MS;
            resolve(thread);
            return;
          case "failed":
            if (!started) reject(new Error(message.error));
            else log("error", "the bulk ingest thread failed", { error: message.error });
            void current.terminate();
            return;
          case "log":
            log(message.level, message.message, message.fields);
            return;
          case "alarm":
            feed.publish(message.alarm);
            return;
          case "stats":
            stats = message.stats;
            connected = message.connected;
            acknowledged = message.acknowledged;
            heap = message.heap;
            lockHolds = message.lockHolds;
            return;
          case "idle":
            idles.get(message.id)?.();
            idles.delete(message.id);
            return;
          case "housekept": {
            const run = housekeeping.get(message.id);
            housekeeping.delete(message.id);
            if (message.error === undefined) run?.done(message.result);
            else run?.failed(new Error(message.error));
            return;
          }
          case "closed":
            onClosed?.();
            return;
        }
      });
      current.on("error", (error) => {
        if (!started) reject(error);
        else log("error", "the bulk ingest thread stopped", { error: error.message });
      });
      current.on("exit", (code) => {
        if (exited) return;
        exited = true;
        connected = false;
        earlier = addStats(stats ?? emptyStats(), earlier);
        stats = null;
        acknowledgedEarlier += acknowledged;
        acknowledged = 0;
        // Nothing more will come from it: whoever waits on it waits no longer.
        for (const wake of idles.values()) wake();
        idles.clear();
        for (const run of housekeeping.values()) run.failed(new Error("the bulk ingest thread stopped during its housekeeping"));
        housekeeping.clear();
        if (worker === current) worker = undefined;
        // A thread stopped mid-transaction never lets the write lock go: the loop's writers would each wait out their longest wait.
        if (new WriteLock(data.writeLock).releaseAbandoned(false)) log("warn", "the bulk ingest thread stopped holding the database's write lock; it was freed");
        if (closing) return onClosed?.();
        if (!started) return reject(new Error("the bulk ingest thread exited before it subscribed"));
        restarts++;
        log("error", "the bulk ingest thread stopped; starting it again", { code, inMs: restartMs, restarts });
        restartTimer = setTimeout(start, restartMs);
        restartMs = Math.min(restartMs * 2, RESTART_MAX_MS);
      });
    };
    const start = () =>
      void spawn().catch((error: Error) => {
        if (!started) reject(error);
        else log("error", "the bulk ingest thread could not be started again", { error: error.message });
      });

    const thread: BulkThread = {
      get connected() {
        return connected;
      },
      get acknowledged() {
        return acknowledgedEarlier + acknowledged;
      },
      get stats() {
        return earlier ? addStats(stats ?? emptyStats(), earlier) : stats;
      },
      get restarts() {
        return restarts;
      },
      get nice() {
        return nice;
      },
      get heap() {
        return heap;
      },
      get lockHolds() {
        return lockHolds;
      },
      idle() {
        const current = worker;
        if (!current) return Promise.resolve();
        const id = nextId++;
        return new Promise<void>((wake) => {
          idles.set(id, wake);
          current.postMessage({ type: "idle", id } satisfies ToBulk);
        });
      },
      housekeep<T extends Housekeeping>(task: T) {
        const current = worker;
        if (!current) return Promise.reject(new Error("the bulk ingest thread is not running"));
        const id = nextId++;
        return new Promise<HousekeepingResults[T]>((done, failed) => {
          housekeeping.set(id, { done: done as (result: unknown) => void, failed });
          current.postMessage({ type: "housekeep", id, task } satisfies ToBulk);
        });
      },
      async close() {
        closing = true;
        clearTimeout(restartTimer);
        const current = worker;
        if (!current) return;
        await new Promise<void>((done) => {
          onClosed = done;
          current.postMessage({ type: "close" } satisfies ToBulk);
        });
        await current.terminate();
      },
    };
    start();
  });
}

function emptyStats(): IngestStats {
  return { received: 0, stored: 0, duplicates: 0, failed: 0, rejected: {} as IngestStats["rejected"], rejectedByNode: [], batches: 0, largestBatch: 0 };
}

/** The cloud's ingest as one: messages handed in here go to `local`; stats and idleness count the thread's too. */
export function withBulkThread(local: Ingest, thread: BulkThread): Ingest {
  return {
    handle: (topic, payload) => local.handle(topic, payload),
    idle: async () => {
      await Promise.all([local.idle(), thread.idle()]);
    },
    get stats() {
      return addStats(local.stats, thread.stats);
    },
  };
}

function addStats(a: IngestStats, b: IngestStats | null): IngestStats {
  if (!b) return a;
  const rejected = { ...a.rejected };
  for (const [reason, count] of Object.entries(b.rejected)) rejected[reason as keyof typeof rejected] = (rejected[reason as keyof typeof rejected] ?? 0) + count;
  // A node's alarms are refused on this thread, its other messages on the other: one row per node.
  const nodes = new Map<string, IngestStats["rejectedByNode"][number]>();
  for (const row of [...a.rejectedByNode, ...b.rejectedByNode]) {
    const seen = nodes.get(row.node);
    nodes.set(row.node, seen ? { ...(seen.lastAt >= row.lastAt ? seen : row), total: seen.total + row.total } : row);
  }
  const byNode = [...nodes.values()].sort((x, y) => y.total - x.total).slice(0, REJECTED_NODES_SHOWN);
  return {
    received: a.received + b.received,
    stored: a.stored + b.stored,
    duplicates: a.duplicates + b.duplicates,
    failed: a.failed + b.failed,
    rejected,
    rejectedByNode: byNode,
    batches: a.batches + b.batches,
    largestBatch: Math.max(a.largestBatch, b.largestBatch),
  };
}
