import { createClient } from "@libsql/client";
import { parentPort, workerData } from "node:worker_threads";
import { WriteLock } from "./write-lock";

/**
 * The checkpoint thread (checkpoints.ts): copies the write-ahead log's pages into the database
 * file on a connection of its own, so no writer's commit does it on the writer's thread.
 *
 * To the parent: `checkpointed` after each round that copied something, `failed` when one could
 * not run, `done` after a round it asked for (`now`). From it: `now`, `lock` (the database's
 * write lock, once the process has one: write-lock.ts) and `close`.
 */
export interface CheckpointThreadData {
  url: string;
  everyMs: number;
  /** Past this many pages in the log, it is started again under the write lock (RESTART). */
  restartAboveFrames: number;
  /** Longest a round waits for the process's write lock, and for readers under SQLite's (busy_timeout). */
  lockWaitMs: number;
  lock?: SharedArrayBuffer;
}

export type FromCheckpointThread =
  | { type: "checkpointed"; frames: number; log: number; ms: number; lockedMs: number; waitedMs: number; restarted: boolean }
  | { type: "failed"; error: string }
  | { type: "done"; id: number };

export type ToCheckpointThread = { type: "now"; id: number } | { type: "lock"; shared: SharedArrayBuffer } | { type: "close" };

const data = workerData as CheckpointThreadData;
const port = parentPort!;
const client = createClient({ url: data.url });
let lock = data.lock ? new WriteLock(data.lock) : undefined;
let closing = false;
let busy = false;
let timer: NodeJS.Timeout | undefined;
/** Rounds the parent asked for, answered when the next round ends. */
const asked: number[] = [];
/** The log's pages, and those of them copied, after the last round: what a round copied is the difference, unless the log started again meanwhile. */
let last = { log: 0, checkpointed: 0 };

const send = (message: FromCheckpointThread) => port.postMessage(message);

port.on("message", (message: ToCheckpointThread) => {
  switch (message.type) {
    case "close":
      closing = true;
      clearTimeout(timer);
      if (!busy) finish();
      return;
    case "now":
      asked.push(message.id);
      if (!busy) schedule(0);
      return;
    case "lock":
      lock = new WriteLock(message.shared);
      return;
  }
});

function schedule(ms: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => void tick(), ms);
}

/** One round at a time: a second checkpoint would find SQLite's checkpoint lock taken. */
async function tick(): Promise<void> {
  busy = true;
  const answering = asked.splice(0);
  await round();
  for (const id of answering) send({ type: "done", id });
  busy = false;
  if (closing) finish();
  else schedule(asked.length > 0 ? 0 : data.everyMs);
}

function finish(): void {
  client.close();
  port.close();
}

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

async function checkpoint(mode: "PASSIVE" | "RESTART"): Promise<CheckpointRow> {
  const [row] = (await client.execute(`PRAGMA wal_checkpoint(${mode})`)).rows;
  return { busy: Number(row.busy), log: Number(row.log), checkpointed: Number(row.checkpointed) };
}

async function round(): Promise<void> {
  try {
    const started = performance.now();
    // PASSIVE never waits for a writer or a reader and never holds the write lock: it copies
    // what no reader still needs from the log while the writers go on committing.
    let row = await checkpoint("PASSIVE");
    const frames = row.log >= last.log && row.checkpointed >= last.checkpointed ? row.checkpointed - last.checkpointed : row.checkpointed;
    // The log starts again from its beginning only when a writer begins while it is wholly
    // copied and no reader is still reading it: while the bulk ingest commits back to back and
    // the loop reads, that moment rarely comes (bench:storm: the log grew past 30,000 pages).
    // Past the bound, RESTART waits for the readers (each a short synchronous read) holding
    // SQLite's write lock, so the next writer starts the log again; under the process's own
    // write lock first, so no writer sleeps in SQLite's busy handler meanwhile, the loop's
    // writers waiting their turn as for one more transaction.
    let lockedMs = 0;
    let waitedMs = 0;
    let restarted = false;
    if (row.log > data.restartAboveFrames) {
      const asked = performance.now();
      const release = lock ? await lock.acquire(false, data.lockWaitMs) : () => {};
      const locked = performance.now();
      waitedMs = locked - asked;
      try {
        row = await checkpoint("RESTART");
        restarted = row.busy === 0;
      } finally {
        release();
      }
      lockedMs = performance.now() - locked;
    }
    last = restarted ? { log: 0, checkpointed: 0 } : { log: row.log, checkpointed: row.checkpointed };
    if (frames > 0 || restarted) send({ type: "checkpointed", frames, log: row.log, ms: performance.now() - started, lockedMs, waitedMs, restarted });
  } catch (error) {
    if (!closing) send({ type: "failed", error: (error as Error).message });
  }
}

await client.execute(`PRAGMA busy_timeout = ${data.lockWaitMs}`);
schedule(0);
