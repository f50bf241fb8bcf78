import { Worker } from "node:worker_threads";
import type { AlarmFeed } from "../alarms/alarm-feed";
import type { AlarmRecord } from "../alarms/alarm-record";
import type { Level, Logger } from "../log";
import type { Ingest, IngestStats } from "./ingest";
import type { IngestSubscription, SubscriberOptions } from "./subscriber";

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
 * stored (none are expected on this session). The parent sends only `idle` and `close`.
 */
export interface BulkThreadData {
  databaseUrl: string;
  databaseAuthToken?: string;
  mqtt: Omit<SubscriberOptions, "holdReading">;
  /** Urgency.shared: the parent's count of urgent work in hand. */
  urgency: SharedArrayBuffer;
  /** Longest the session's reading waits for urgent work (as the parent's holdBulk). */
  holdMs: number;
}

export type FromBulk =
  | { type: "ready" }
  | { type: "failed"; error: string }
  | { type: "log"; level: Level; message: string; fields?: Record<string, unknown> }
  | { type: "alarm"; alarm: AlarmRecord }
  | { type: "stats"; stats: IngestStats; connected: boolean; acknowledged: number }
  | { type: "idle"; id: number }
  | { type: "closed" };

export type ToBulk = { type: "idle"; id: number } | { type: "close" };

export interface BulkThread extends IngestSubscription {
  /** The thread's ingest counts, as last sent (at most 200 ms old; fresh after `idle`). */
  readonly stats: IngestStats | null;
  /** Resolves once everything the thread's session has handed its ingest so far is written. */
  idle(): Promise<void>;
}

/** As RejectionLog.top's default. */
const REJECTED_NODES_SHOWN = 20;

const BOOT = new URL("./thread-boot.mjs", import.meta.url);
const SCRIPT = new URL("./bulk-worker.ts", import.meta.url).href;

/** Starts the thread; resolves once its session is subscribed, rejects as startSubscriber would. */
export function startBulkThread(data: BulkThreadData, feed: AlarmFeed, log: Logger): Promise<BulkThread> {
  const worker = new Worker(BOOT, { workerData: { ...data, script: SCRIPT }, name: "shouwang-bulk-ingest" });
  let stats: IngestStats | null = null;
  let connected = false;
  let acknowledged = 0;
  let nextId = 0;
  let exited = false;
  const idles = new Map<number, () => void>();
  let onClosed: (() => void) | undefined;

  return new Promise<BulkThread>((resolve, reject) => {
    let started = false;
    worker.on("message", (message: FromBulk) => {
      switch (message.type) {
        case "ready":
          started = true;
          connected = true;
          resolve(thread);
          return;
        case "failed":
          if (!started) reject(new Error(message.error));
          else log("error", "the bulk ingest thread failed", { error: message.error });
          void worker.terminate();
          return;
        case "log":
          log(message.level, message.message, message.fields);
          return;
        case "alarm":
          feed.publish(message.alarm);
          return;
        case "stats":
          ({ stats, connected, acknowledged } = message);
          return;
        case "idle":
          idles.get(message.id)?.();
          idles.delete(message.id);
          return;
        case "closed":
          onClosed?.();
          return;
      }
    });
    worker.on("error", (error) => {
      if (!started) reject(error);
      else log("error", "the bulk ingest thread stopped", { error: error.message });
    });
    worker.on("exit", () => {
      exited = true;
      connected = false;
      // Nothing more will come: whoever waits on the thread waits no longer.
      for (const wake of idles.values()) wake();
      idles.clear();
      onClosed?.();
      if (!started) reject(new Error("the bulk ingest thread exited before it subscribed"));
    });

    const thread: BulkThread = {
      get connected() {
        return connected;
      },
      get acknowledged() {
        return acknowledged;
      },
      get stats() {
        return stats;
      },
      idle() {
        if (exited) return Promise.resolve();
        const id = nextId++;
        return new Promise<void>((wake) => {
          idles.set(id, wake);
          worker.postMessage({ type: "idle", id } satisfies ToBulk);
        });
      },
      async close() {
        if (exited) return;
        await new Promise<void>((done) => {
          onClosed = done;
          worker.postMessage({ type: "close" } satisfies ToBulk);
        });
        await worker.terminate();
      },
    };
  });
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
