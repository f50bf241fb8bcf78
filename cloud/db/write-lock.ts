import type { Client, Transaction } from "@libsql/client";

/** How long a connection waits for SQLite's write lock before its statement fails (busy_timeout, client.ts). */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * SQLite's one write lock, taken in turn by two threads' connections to one file — the loop's
 * (alarms, the incident desk, the notifier, the API) and the bulk ingest's (bulk-thread.ts) —
 * with the loop's writes first.
 *
 * Why not leave it to SQLite: a connection that finds the lock taken waits in SQLite's busy
 * handler, which sleeps on the thread that called it (the loop, for the alarms) in steps that
 * grow to 100 ms, and takes the lock only if it happens to be free when it wakes. The bulk
 * thread commits back to back while 10,000 nodes reconnect, so a loop write that was not an
 * alarm's (a delivery's outcome, an escalation) slept 100–330 ms at a time with the loop held,
 * while no bulk transaction took over 50 ms (bench:storm, BENCH_TRACE_SLOW). Here a writer waits
 * without holding its thread (Atomics.waitAsync), is woken the moment the lock is let go, and
 * the bulk thread lets a waiting loop writer go first.
 *
 * Not a library: it must share one word of memory between two threads of one process, which
 * no lock package on npm does for async waiters. If a writer cannot have the lock within
 * `maxWaitMs` (a holder stuck, or a re-entrant write inside an interactive transaction), it
 * writes anyway and SQLite's own busy timeout decides, as it did without this.
 */
const FREE = 0;
const HELD_FIRST = 1;
const HELD_OTHER = 2;

export class WriteLock {
  /** [0]: 0 free, 1 held by the first side, 2 by the other. [1]: writers of the first side waiting for it. */
  readonly #words: Int32Array;

  constructor(shared: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.#words = new Int32Array(shared);
  }

  /** The lock's memory, for the other thread's WriteLock. */
  get shared(): SharedArrayBuffer {
    return this.#words.buffer as SharedArrayBuffer;
  }

  get held(): boolean {
    return Atomics.load(this.#words, 0) !== 0;
  }

  /**
   * Frees the lock if the given side holds it: for a thread that stopped while it held it (its
   * release will never run), called by whoever saw it stop. Returns whether it was held.
   */
  releaseAbandoned(first: boolean): boolean {
    const holder = first ? HELD_FIRST : HELD_OTHER;
    const freed = Atomics.compareExchange(this.#words, 0, holder, FREE) === holder;
    if (freed) Atomics.notify(this.#words, 0);
    return freed;
  }

  /**
   * Resolves with the function that lets the lock go, once it is this caller's. `first`: the
   * side that goes before the other's waiting writers (the loop's). After `maxWaitMs` it
   * resolves without the lock (its release then does nothing).
   */
  async acquire(first: boolean, maxWaitMs: number): Promise<() => void> {
    const words = this.#words;
    const until = performance.now() + maxWaitMs;
    if (first) Atomics.add(words, 1, 1);
    try {
      for (;;) {
        const left = until - performance.now();
        if (!first) {
          const waiting = Atomics.load(words, 1);
          if (waiting > 0 && left > 0) {
            await settle(Atomics.waitAsync(words, 1, waiting, left));
            continue;
          }
        }
        const holder = Atomics.compareExchange(words, 0, FREE, first ? HELD_FIRST : HELD_OTHER);
        if (holder === FREE) return this.#release();
        if (left <= 0) return () => {};
        await settle(Atomics.waitAsync(words, 0, holder, left));
      }
    } finally {
      if (first) {
        Atomics.sub(words, 1, 1);
        Atomics.notify(words, 1);
      }
    }
  }

  #release(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      Atomics.store(this.#words, 0, FREE);
      Atomics.notify(this.#words, 0);
    };
  }
}

async function settle(waited: { async: boolean; value: unknown }): Promise<void> {
  if (waited.async) await waited.value;
}

/** Statements that never write: they run without the lock (WAL lets them read beside a writer). */
const READ_ONLY = /^\s*(select|pragma|explain)\b/i;

const text = (statement: unknown) => (typeof statement === "string" ? statement : (statement as { sql: string }).sql);

/**
 * Makes every write `client` is given wait for `lock` first: `execute` of anything but a read,
 * `batch` and `transaction` unless their mode is "read" (an interactive transaction holds the
 * lock until it commits, rolls back or closes), `executeMultiple` and `migrate`. Changes the
 * client in place, so whoever holds it (drizzle) goes through the lock too. A write waits for the
 * lock at most `maxWaitMs` (default: as long as SQLite's own busy timeout), then leaves it to SQLite.
 */
export function writeThroughLock(client: Client, lock: WriteLock, options: { first: boolean; maxWaitMs?: number }): void {
  const take = () => lock.acquire(options.first, options.maxWaitMs ?? BUSY_TIMEOUT_MS);
  const locked = async <T>(work: () => Promise<T>): Promise<T> => {
    const release = await take();
    try {
      return await work();
    } finally {
      release();
    }
  };
  const { execute, batch, transaction, executeMultiple, migrate } = client;
  type Call = (...args: unknown[]) => Promise<unknown>;
  client.execute = ((statement: unknown, ...rest: unknown[]) => {
    const run = () => (execute as Call).call(client, statement, ...rest);
    return READ_ONLY.test(text(statement)) ? run() : locked(run);
  }) as Client["execute"];
  client.batch = ((statements: unknown[], mode?: unknown) => {
    const run = () => (batch as Call).call(client, statements, mode);
    return mode === "read" ? run() : locked(run);
  }) as Client["batch"];
  client.executeMultiple = ((sql: string) => locked(() => executeMultiple.call(client, sql))) as Client["executeMultiple"];
  client.migrate = ((statements: unknown[]) => locked(() => (migrate as Call).call(client, statements))) as Client["migrate"];
  client.transaction = (async (mode?: unknown) => {
    if (mode === "read") return (transaction as Call).call(client, mode);
    const release = await take();
    try {
      const tx = (await (transaction as Call).call(client, mode)) as Transaction;
      for (const method of ["commit", "rollback"] as const) {
        const end = tx[method].bind(tx);
        tx[method] = async () => {
          try {
            await end();
          } finally {
            release();
          }
        };
      }
      const close = tx.close.bind(tx);
      tx.close = () => {
        close();
        release();
      };
      return tx;
    } catch (error) {
      release();
      throw error;
    }
  }) as Client["transaction"];
}
