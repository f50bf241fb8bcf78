import type { Client, InStatement, ResultSet, TransactionMode } from "@libsql/client";

/**
 * The bulk thread's write transactions, run on the cloud's loop instead of on the thread's own
 * connection. The thread still parses, checks and batches what the fleet sends (most of its
 * work); the loop only runs the batch's SQL, a millisecond or two each.
 *
 * Why: the thread runs ten steps of niceness below the loop (bulk-thread.ts), and SQLite lets
 * one connection write at a time. A thread that low, once it held the write lock, waited for a
 * core for 20–37 ms at a time while it held it (Linux's scheduler gives a low-weight thread a far
 * later deadline), and the alarm's write waited for it: in a reconnect wave 90–200 of its holds
 * lasted over 10 ms, most of that time queued, not running (bench:storm, each hold traced with
 * /proc/thread-self/schedstat). Raising the thread while the loop waited did not shorten them.
 * Run on the loop, a bulk batch never holds the lock while off a core: an alarm's write waits at
 * most for the one batch under way, on its own thread.
 *
 * Only the ingest's `batch` goes to the loop (its transactions and the waiting sightings, each a
 * millisecond or two): it reads rows by column name and `rowsAffected`, which is all that
 * crosses. The thread's housekeeping (rollups, retention, the liveness sweep) stays on its own
 * connection behind the write lock, off the loop: in steps, and waiting while an alarm is in hand.
 */
export interface LoopWrite {
  type: "write";
  id: number;
  statements: InStatement[];
  mode: TransactionMode | undefined;
}

export interface LoopWritten {
  type: "written";
  id: number;
  /** Each statement's rows (by column name) and how many rows it changed; absent if it failed. */
  results?: Array<{ rows: Array<Record<string, unknown>>; rowsAffected: number }>;
  error?: string;
}

/**
 * On the thread: a client for the ingest whose `batch` of a writing mode asks the loop (`post`)
 * and waits for its answer, which the thread hands to `answer`; everything else, read batches
 * included, is `client`'s own. `giveWay` as writeThroughLock's, asked before each batch is sent.
 */
export function batchesOnLoop(client: Client, post: (write: LoopWrite) => void, giveWay?: () => Promise<void> | undefined): { client: Client; answer: (written: LoopWritten) => void } {
  const waiting = new Map<number, { done: (results: ResultSet[]) => void; failed: (error: Error) => void }>();
  let nextId = 0;
  const batch = async (statements: InStatement[], mode?: TransactionMode): Promise<ResultSet[]> => {
    if (mode === "read") return client.batch(statements, mode);
    await giveWay?.();
    const id = nextId++;
    return new Promise<ResultSet[]>((done, failed) => {
      waiting.set(id, { done, failed });
      post({ type: "write", id, statements, mode });
    });
  };
  // A proxy, not a copy: the client's methods keep their own `this` (its private fields).
  const onLoop = new Proxy(client, {
    get(target, key) {
      if (key === "batch") return batch;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    client: onLoop,
    answer(written) {
      const caller = waiting.get(written.id);
      if (!caller) return;
      waiting.delete(written.id);
      if (written.results) caller.done(written.results as unknown as ResultSet[]);
      else caller.failed(new Error(written.error ?? "the loop could not run the write"));
    },
  };
}

/** On the loop: runs one asked-for write on the loop's client and gives the answer to send back. */
export async function runLoopWrite(client: Client, write: LoopWrite): Promise<LoopWritten> {
  try {
    const results = await client.batch(write.statements, write.mode);
    return {
      type: "written",
      id: write.id,
      // Plain rows by column name: a ResultSet's rows also answer by index, which does not survive the copy to the thread.
      results: results.map((result) => ({
        rows: result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column, row[i]]))),
        rowsAffected: result.rowsAffected,
      })),
    };
  } catch (error) {
    return { type: "written", id: write.id, error: (error as Error).message };
  }
}
