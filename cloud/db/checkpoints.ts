import type { Client } from "@libsql/client";
import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { Logger } from "../log";
import { threadEntry } from "../threads/worker-bundle";
import type { CheckpointThreadData, FromCheckpointThread, ToCheckpointThread } from "./checkpoint-worker";

/**
 * Checkpoints of the embedded database's write-ahead log, on a thread of their own.
 *
 * SQLite's default is to checkpoint inside a commit: whichever connection's commit takes the
 * log past 1,000 pages copies them into the database file and syncs it, on the thread that
 * committed. In bench:ingest that was the ingest's thread, and most of what kept it from the
 * broker's ceiling: persisted/ceiling 0.69–0.70 with the copying in the commits, 0.83–0.91 with
 * it on this thread (its time charged to the round that wrote). So every
 * connection is opened with `wal_autocheckpoint = 0` (client.ts), and a thread checkpoints every
 * `EVERY_MS` on a connection of its own (checkpoint-worker.ts): the writers pay only for the
 * second core's time, and, when the log has grown long, for a short wait under the write lock
 * while it is started again from its beginning (checkpoint-worker.ts).
 *
 * Started once the log first reaches START_AT_BYTES, so a CLI command or a test that writes a
 * few rows starts no thread. If the thread cannot start or stops, the checkpoints run on the
 * caller's connection from `tick` instead: slower for the writers, but the log never grows
 * without end.
 */
export interface CheckpointStats {
  /**
   * Checkpoints that copied something, pages copied, and the longest (ms). The pages are a lower
   * bound: a log that writers started again between two rounds, and that grew past its former
   * length meanwhile, hides some of what was copied.
   */
  runs: number;
  frames: number;
  longestMs: number;
  /** Longest the writers were kept waiting for a restart of the log (ms), and longest a restart waited for them. */
  longestLockedMs: number;
  longestLockWaitMs: number;
  /** Times the log had grown past the bound and was started again under the write lock. */
  restarts: number;
  /** Where they run: not yet needed, the thread, or (the thread having failed) the caller's connection. */
  where: "not-started" | "thread" | "connection";
}

/** The log's size when the thread starts: SQLite's own default threshold (1,000 pages of 4 KiB). */
const START_AT_BYTES = 4 * 1024 * 1024;
/** How often the thread checkpoints. */
const EVERY_MS = 1000;
/** Past this many pages in the log after a round, a RESTART checkpoint (64 MiB of 4 KiB pages). */
const RESTART_ABOVE_FRAMES = 16_384;
/** Longest a round waits for the write lock, and then for readers. */
const LOCK_WAIT_MS = 200;

const SCRIPT = new URL("./checkpoint-worker.ts", import.meta.url);

export class Checkpoints {
  readonly #url: string;
  readonly #walPath: string;
  readonly #client: Client;
  readonly #log: Logger | undefined;
  readonly #script: URL | undefined;
  readonly #restartAbove: number;
  #lock: SharedArrayBuffer | undefined;
  #thread: Worker | undefined;
  #starting: Promise<void> | undefined;
  #closed = false;
  #onConnection: Promise<unknown> | undefined;
  #asked = 0;
  readonly #answers = new Map<number, () => void>();
  readonly #stats: CheckpointStats = { runs: 0, frames: 0, longestMs: 0, longestLockedMs: 0, longestLockWaitMs: 0, restarts: 0, where: "not-started" };

  /** `script`: the thread's module instead of checkpoint-worker.ts, started through tsx; `restartAbovePages` in place of RESTART_ABOVE_FRAMES (tests). */
  constructor(url: string, dbPath: string, client: Client, log?: Logger, tests: { script?: URL; restartAbovePages?: number } = {}) {
    this.#script = tests.script;
    this.#restartAbove = tests.restartAbovePages ?? RESTART_ABOVE_FRAMES;
    this.#url = url;
    this.#walPath = `${dbPath}-wal`;
    this.#client = client;
    this.#log = log;
  }

  get stats(): Readonly<CheckpointStats> {
    return this.#stats;
  }

  /** The process's write lock (write-lock.ts), once it has one: the thread's restarts of the log take it. */
  shareLock(shared: SharedArrayBuffer): void {
    this.#lock = shared;
    this.#send({ type: "lock", shared });
  }

  /** Called about once a second: starts the thread when the log is big enough, or checkpoints here if it has failed. */
  tick(): void {
    if (this.#closed) return;
    if (this.#stats.where === "connection") return void this.#checkpointHere();
    if (this.#stats.where === "not-started" && walBytes(this.#walPath) >= START_AT_BYTES) this.#starting ??= this.#start().catch((error: Error) => {
        this.#stats.where = "connection";
        this.#log?.("error", "the database's checkpoint thread could not start; checkpoints run on the writers' connection", { error: error.message });
      });
  }

  /** Resolves after a checkpoint begun now: on the thread if it runs, else on the caller's connection. */
  async now(): Promise<void> {
    await this.#starting;
    const thread = this.#thread;
    if (!thread) return void (await this.#checkpointHere());
    const id = ++this.#asked;
    await new Promise<void>((resolve) => {
      this.#answers.set(id, resolve);
      this.#send({ type: "now", id });
    });
  }

  close(): void {
    this.#closed = true;
    for (const answer of this.#answers.values()) answer();
    this.#answers.clear();
    this.#send({ type: "close" });
    this.#thread?.unref();
    this.#thread = undefined;
  }

  #send(message: ToCheckpointThread): void {
    this.#thread?.postMessage(message);
  }

  async #start(): Promise<void> {
    this.#stats.where = "thread";
    const { module, script } = await threadEntry(SCRIPT, {
      override: this.#script?.href,
      warn: (error) => this.#log?.("warn", "the checkpoint thread runs through tsx: its bundle could not be built", { error: error.message }),
    });
    if (this.#closed) return;
    const workerData: CheckpointThreadData & { script?: string } = { url: this.#url, everyMs: EVERY_MS, restartAboveFrames: this.#restartAbove, lockWaitMs: LOCK_WAIT_MS, lock: this.#lock, script };
    // A connection and a timer: a few MB of heap at most.
    const thread = new Worker(module, { name: "shouwang-checkpoints", workerData, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 } });
    this.#thread = thread;
    thread.unref();
    thread.on("message", (message: FromCheckpointThread) => {
      switch (message.type) {
        case "done":
          this.#answers.get(message.id)?.();
          this.#answers.delete(message.id);
          return;
        case "failed":
          this.#log?.("warn", "a checkpoint of the database's log failed; the next is in a second", { error: message.error });
          return;
        case "checkpointed":
          this.#stats.runs++;
          this.#stats.frames += message.frames;
          this.#stats.longestMs = Math.max(this.#stats.longestMs, message.ms);
          this.#stats.longestLockedMs = Math.max(this.#stats.longestLockedMs, message.lockedMs);
          this.#stats.longestLockWaitMs = Math.max(this.#stats.longestLockWaitMs, message.waitedMs);
          if (message.restarted) this.#stats.restarts++;
      }
    });
    const lost = (why: string) => {
      if (this.#closed || this.#thread !== thread) return;
      this.#thread = undefined;
      this.#stats.where = "connection";
      // What was asked of it is done here instead.
      for (const answer of this.#answers.values()) void this.#checkpointHere().then(answer);
      this.#answers.clear();
      this.#log?.("error", "the database's checkpoint thread stopped; checkpoints run on the writers' connection from now on", { why });
    };
    thread.on("error", (error) => lost(error.message));
    thread.on("exit", (code) => lost(`exit ${code}`));
  }

  #checkpointHere(): Promise<unknown> {
    return (this.#onConnection ??= this.#client
      .execute("PRAGMA wal_checkpoint(PASSIVE)")
      .then((result) => {
        const copied = Number(result.rows[0]?.checkpointed ?? 0);
        if (copied > 0) {
          this.#stats.runs++;
          this.#stats.frames += copied;
        }
      })
      .catch((error: Error) => this.#log?.("warn", "a checkpoint of the database's log failed", { error: error.message }))
      .finally(() => (this.#onConnection = undefined)));
  }
}

function walBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
