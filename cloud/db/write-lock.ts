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
/** Words: [0] holder, [1] first-side writers waiting, [2] the other side's holder's thread id if it may be raised, [3] 1 once a waiter raised it. */
const HOLDER = 0;
const WAITING = 1;
const HOLDER_TID = 2;
const RAISED = 3;

/**
 * Priority inheritance for a holder that runs below the first side (bulk-thread.ts: ten steps
 * of niceness below the loop). Lowered, that thread can be preempted while it holds the lock,
 * and the loop's alarm write then waits for a thread that is itself waiting for a core
 * (bench:storm: routing p99 216 against 107 ms level, in one pair). With this, while a
 * first-side writer waits for it, the holder runs at the waiter's priority, and lowers itself
 * again as it lets go. `raise` is the first side's (threads/thread-priority.ts raiseThread),
 * `lowerAgain` the holder's. The bulk thread takes part only when asked (CloudOptions
 * .bulkThreadRaised): it shortened the loop's waits, not the alarms' first notification.
 */
export interface Inheritance {
  /** The other side: this thread's id, and how it goes back below once it lets the lock go. */
  holder?: { tid: number; lowerAgain: () => void };
  /** The first side: raises the holder's thread to this side's priority; false if refused. */
  raise?: (tid: number) => boolean;
}

/** What the first side waited for the lock (WriteLock.waits). */
export interface LockWaits {
  /** Writes that found the lock held by the other side, and what they waited in all and at most (their whole wait). */
  count: number;
  totalMs: number;
  maxMs: number;
  /** Holders raised while a first-side writer waited for them, and raises refused (no privilege). */
  raised: number;
  refused: number;
}

/** Bounds, in ms, of the holds counted apart (LockHolds.longerThan). */
export const HOLD_BOUNDS_MS = [5, 10, 20, 50] as const;

/**
 * How long this side held the lock, from taking it to letting it go. A hold of the bulk thread's
 * is what an alarm's write may wait for: its own SQL, and any time the thread was off a core
 * meanwhile (a thread below the loop waits longer for one). Counts only, so that a reader can
 * take the difference between two readings.
 */
export interface LockHolds {
  count: number;
  totalMs: number;
  /** Holds longer than each of HOLD_BOUNDS_MS, in that order. */
  longerThan: number[];
}

export class WriteLock {
  /** See the word constants above. */
  readonly #words: Int32Array;
  #inheritance: Inheritance = {};
  readonly waits: LockWaits = { count: 0, totalMs: 0, maxMs: 0, raised: 0, refused: 0 };
  readonly holds: LockHolds = { count: 0, totalMs: 0, longerThan: HOLD_BOUNDS_MS.map(() => 0) };

  constructor(shared: SharedArrayBuffer = new SharedArrayBuffer(16)) {
    if (shared.byteLength < 16) throw new RangeError("a write lock's memory is 16 bytes");
    this.#words = new Int32Array(shared);
  }

  /** The lock's memory, for the other thread's WriteLock. */
  get shared(): SharedArrayBuffer {
    return this.#words.buffer as SharedArrayBuffer;
  }

  get held(): boolean {
    return Atomics.load(this.#words, HOLDER) !== FREE;
  }

  /** This thread's part in priority inheritance (Inheritance); from then on. */
  inherit(inheritance: Inheritance): void {
    this.#inheritance = inheritance;
  }

  /**
   * Frees the lock if the given side holds it: for a thread that stopped while it held it (its
   * release will never run), called by whoever saw it stop. Returns whether it was held.
   */
  releaseAbandoned(first: boolean): boolean {
    const holder = first ? HELD_FIRST : HELD_OTHER;
    if (!first) Atomics.store(this.#words, HOLDER_TID, 0);
    const freed = Atomics.compareExchange(this.#words, HOLDER, holder, FREE) === holder;
    if (freed) Atomics.notify(this.#words, HOLDER);
    return freed;
  }

  /**
   * Resolves with the function that lets the lock go, once it is this caller's. `first`: the
   * side that goes before the other's waiting writers (the loop's). After `maxWaitMs` it
   * resolves without the lock (its release then does nothing).
   */
  async acquire(first: boolean, maxWaitMs: number): Promise<() => void> {
    const words = this.#words;
    const started = performance.now();
    const until = started + maxWaitMs;
    let waited = false;
    let raised = false;
    if (first) Atomics.add(words, WAITING, 1);
    try {
      for (;;) {
        const left = until - performance.now();
        if (!first) {
          const waiting = Atomics.load(words, WAITING);
          if (waiting > 0 && left > 0) {
            await settle(Atomics.waitAsync(words, WAITING, waiting, left));
            continue;
          }
        }
        const holder = Atomics.compareExchange(words, HOLDER, FREE, first ? HELD_FIRST : HELD_OTHER);
        if (holder === FREE) {
          if (waited) this.#waited(performance.now() - started);
          return this.#release(first);
        }
        if (left <= 0) {
          if (waited) this.#waited(performance.now() - started);
          return () => {};
        }
        if (first && holder === HELD_OTHER) {
          waited = true;
          if (!raised) raised = this.#raiseHolder();
        }
        await settle(Atomics.waitAsync(words, HOLDER, holder, left));
      }
    } finally {
      if (first) {
        Atomics.sub(words, WAITING, 1);
        Atomics.notify(words, WAITING);
      }
    }
  }

  /**
   * Raises the other side's holder, if it asked to be (Inheritance). The flag is set after the
   * raise: a holder that let go in between finds it at its next release and lowers itself then,
   * so a raise is never left standing. Returns whether this wait is done with raising.
   */
  #raiseHolder(): boolean {
    const raise = this.#inheritance.raise;
    const tid = Atomics.load(this.#words, HOLDER_TID);
    if (!raise || tid === 0) return false;
    if (raise(tid)) {
      Atomics.store(this.#words, RAISED, 1);
      this.waits.raised++;
    } else {
      this.waits.refused++;
    }
    return true;
  }

  #waited(ms: number): void {
    this.waits.count++;
    this.waits.totalMs += ms;
    if (ms > this.waits.maxMs) this.waits.maxMs = ms;
  }

  #release(first: boolean): () => void {
    const holder = first ? undefined : this.#inheritance.holder;
    if (holder) Atomics.store(this.#words, HOLDER_TID, holder.tid);
    let released = false;
    const taken = performance.now();
    return () => {
      if (released) return;
      released = true;
      if (holder) Atomics.store(this.#words, HOLDER_TID, 0);
      Atomics.store(this.#words, HOLDER, FREE);
      Atomics.notify(this.#words, HOLDER);
      if (holder && Atomics.exchange(this.#words, RAISED, 0) === 1) holder.lowerAgain();
      this.#held(performance.now() - taken);
    };
  }

  #held(ms: number): void {
    const { holds } = this;
    holds.count++;
    holds.totalMs += ms;
    HOLD_BOUNDS_MS.forEach((bound, i) => {
      if (ms > bound) holds.longerThan[i]++;
    });
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
 * `giveWay`, asked just before each write takes the lock: a promise means "not yet", and the
 * write waits for it first (the bulk thread, while the cloud has an alarm in hand).
 */
export function writeThroughLock(client: Client, lock: WriteLock, options: { first: boolean; maxWaitMs?: number; giveWay?: () => Promise<void> | undefined }): void {
  const acquire = () => lock.acquire(options.first, options.maxWaitMs ?? BUSY_TIMEOUT_MS);
  const { giveWay } = options;
  const take = giveWay
    ? async () => {
        await giveWay();
        return acquire();
      }
    : acquire;
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
