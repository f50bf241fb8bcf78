import type { CheckpointStats } from "../cloud/db/checkpoints";
import { HOLD_BOUNDS_MS, type LockHolds, type LockWaits } from "../cloud/db/write-lock";
import { openDatabase, type Database } from "../cloud/db/client";
import { tempDatabaseUrl } from "../tests/support/cloud";
import { Worker } from "./child";
import type { BenchSmsConfig } from "./sms-provider";

/** What bench/cloud-process.ts is started with (its argv[2], as JSON). */
export interface CloudProcessConfig {
  databaseUrl: string;
  brokerUrl: string;
  /** The broker tier is NATS: node messages come from JetStream on these servers (brokerUrl is then their MQTT listener). */
  natsServers?: string[];
  instanceId: string;
  sms: BenchSmsConfig;
  logFile: string;
}

/** What the cloud's process measured between `mark` and `measure`. */
export interface CloudMeasures {
  rssBefore: number;
  peak: NodeJS.MemoryUsage;
  /** The bulk thread's heap when the RSS peaked (as last sent, at most 200 ms old). */
  peakThreadHeap: { used: number; total: number } | null;
  threadRestarts: number;
  /** The bulk thread's niceness and the loop's (BULK_THREAD_NICER), when it has a thread. */
  threadNice: { thread: number | null; loop: number } | null;
  loopDelay: { p99Ms: number; maxMs: number };
  /** What the cloud's checkpoint thread did over the whole run (cloud/db/checkpoints.ts). */
  checkpoints: CheckpointStats | null;
  /** The loop's writes that waited for another thread's hold on the write lock, from the mark on (cloud/db/write-lock.ts). */
  lockWaits: LockWaits | null;
  /** The bulk thread's holds of that lock, from the mark on, when it has a thread. */
  bulkLockHolds: LockHolds | null;
}

/**
 * A bench's cloud in a process of its own (bench/cloud-process.ts) on a fresh database, and the
 * bench's own connection to that database (opened once the cloud has migrated it): for seeding
 * before the run and reading what was stored after. `execArgv`: node's own flags for the cloud.
 */
export async function startBenchCloud(options: { brokerUrl: string; natsServers?: string[]; instanceId: string; sms: BenchSmsConfig; logFile: string; execArgv?: string[] }): Promise<{ cloud: Worker; url: string; database: Database }> {
  const config: CloudProcessConfig = { databaseUrl: tempDatabaseUrl(), brokerUrl: options.brokerUrl, natsServers: options.natsServers, instanceId: options.instanceId, sms: options.sms, logFile: options.logFile };
  const cloud = new Worker("./cloud-process.ts", [JSON.stringify(config)], { execArgv: options.execArgv });
  const { url } = (await cloud.ready) as { url: string };
  // The cloud's checkpoint thread keeps the log; this connection only reads and seeds.
  return { cloud, url, database: await openDatabase(config.databaseUrl, undefined, { checkpoints: false }) };
}

/** What a checkpoint thread did (cloud/db/checkpoints.ts), in a bench's words. */
export function checkpointsText(stats: CheckpointStats | null): string {
  if (!stats) return "none (not an embedded file)";
  return `${stats.runs} (${stats.where}), ≥ ${stats.frames.toLocaleString("en-US")} pages copied, longest ${stats.longestMs.toFixed(0)} ms (writers held ≤ ${stats.longestLockedMs.toFixed(0)} ms, waited for ≤ ${stats.longestLockWaitMs.toFixed(0)} ms), ${stats.restarts} restarts of the log`;
}

/** CloudMeasures.bulkLockHolds as one line: how many, their mean, and how many were longer than each bound. */
export function lockHoldsText(holds: LockHolds | null): string {
  if (!holds) return "no bulk thread";
  if (holds.count === 0) return "none";
  const longer = HOLD_BOUNDS_MS.map((bound, i) => `${holds.longerThan[i]} > ${bound} ms`).join(", ");
  return `${holds.count} (mean ${(holds.totalMs / holds.count).toFixed(1)} ms; ${longer})`;
}

/** CloudMeasures.lockWaits as one line: how many waited, how long, and whether their holder was raised meanwhile. */
export function lockWaitsText(waits: LockWaits | null): string {
  if (!waits) return "no write lock";
  if (waits.count === 0) return "none";
  const raised = waits.raised || waits.refused ? `; its holder raised ${waits.raised} times${waits.refused ? `, refused ${waits.refused}` : ""}` : "";
  return `${waits.count} (${(waits.totalMs / waits.count).toFixed(1)} / ${waits.maxMs.toFixed(1)} ms${raised})`;
}
