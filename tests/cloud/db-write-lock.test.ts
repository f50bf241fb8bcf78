import { createClient, type Client } from "@libsql/client";
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { getPriority } from "node:os";
import { Worker } from "node:worker_threads";
import { WriteLock, writeThroughLock } from "../../cloud/db/write-lock";
import { raiseThread } from "../../cloud/threads/thread-priority";
import { threadEntry } from "../../cloud/threads/worker-bundle";
import { tempDatabaseUrl } from "../support/cloud";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the write lock two threads' connections share", () => {
  it("is held by one side at a time, and a waiting writer of the first side goes before the other's", async () => {
    const loop = new WriteLock();
    const thread = new WriteLock(loop.shared);
    const releaseThread = await thread.acquire(false, 5000);
    expect(loop.held).toBe(true);
    const order: string[] = [];
    const bulk = thread.acquire(false, 5000).then((release) => (order.push("bulk"), release));
    await sleep(5);
    const alarm = loop.acquire(true, 5000).then((release) => (order.push("alarm"), release));
    await sleep(5);
    expect(order).toEqual([]);
    releaseThread();
    const releaseAlarm = await alarm;
    expect(order).toEqual(["alarm"]);
    releaseAlarm();
    (await bulk)();
    expect(order).toEqual(["alarm", "bulk"]);
    expect(loop.held).toBe(false);
  });

  it("counts each side's holds, and those longer than each bound", async () => {
    const loop = new WriteLock();
    const thread = new WriteLock(loop.shared);
    const short = await thread.acquire(false, 5000);
    short();
    short(); // a second release changes nothing
    const long = await thread.acquire(false, 5000);
    await sleep(25);
    long();
    expect(thread.holds.count).toBe(2);
    expect(thread.holds.totalMs).toBeGreaterThanOrEqual(24);
    // Longer than 5, 10 and 20 ms (whether past 50 depends on how late the timer fired).
    expect(thread.holds.longerThan.slice(0, 3)).toEqual([1, 1, 1]);
    expect(loop.holds.count).toBe(0);
  });

  it("gives up after its longest wait and leaves the write to SQLite, without taking the lock", async () => {
    const lock = new WriteLock();
    const release = await lock.acquire(true, 1000);
    const started = performance.now();
    const none = await lock.acquire(true, 30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    none();
    expect(lock.held).toBe(true);
    release();
    expect(lock.held).toBe(false);
  });

  it("is freed for the other side when the side holding it stopped without letting it go", async () => {
    const loop = new WriteLock();
    const thread = new WriteLock(loop.shared);
    await thread.acquire(false, 1000); // never released: the thread stopped
    expect(loop.releaseAbandoned(true)).toBe(false); // not the loop's to free
    expect(loop.held).toBe(true);
    const waiting = loop.acquire(true, 5000);
    expect(thread.releaseAbandoned(false)).toBe(true);
    const release = await waiting;
    expect(loop.held).toBe(true);
    release();
    expect(loop.held).toBe(false);
  });

  describe("with a holder that runs below the first side (the bulk ingest thread)", () => {
    // A thread's niceness, from the kernel (Linux /proc: field 19 of a task's stat).
    const nicenessOf = (tid: number) => {
      const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
    };
    type Holder = { held: boolean; tid: number; nice: number };
    const HOLDER_SCRIPT = new URL("../support/lock-holder-thread.ts", import.meta.url);

    async function lowerHolder(lock: WriteLock): Promise<{ worker: Worker; next: () => Promise<Holder> }> {
      const { module, script } = await threadEntry(HOLDER_SCRIPT, { override: HOLDER_SCRIPT.href });
      const worker = new Worker(module, { workerData: { script, lock: lock.shared } });
      const messages: Holder[] = [];
      const waiting: Array<(message: Holder) => void> = [];
      worker.on("message", (message: Holder) => (waiting.length ? waiting.shift()!(message) : messages.push(message)));
      worker.on("error", (error) => {
        throw error;
      });
      return { worker, next: () => (messages.length ? Promise.resolve(messages.shift()!) : new Promise<Holder>((resolve) => waiting.push(resolve))) };
    }

    // Raising a thread needs CAP_SYS_NICE (bit 23 of the effective set) or an RLIMIT_NICE that
    // reaches this thread's niceness (20 - limit): both read from /proc, as setpriority(2) decides.
    const mayRaise = (() => {
      const caps = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync("/proc/self/status", "utf8"));
      if (caps && (BigInt(`0x${caps[1]}`) >> 23n) & 1n) return true;
      const limit = /Max nice priority\s+(\d+)/.exec(readFileSync("/proc/self/limits", "utf8"));
      return limit !== null && 20 - Number(limit[1]) <= getPriority();
    })();

    it.skipIf(!mayRaise)("runs at the waiting writer's priority while the writer waits, and back below once it lets go (needs CAP_SYS_NICE or RLIMIT_NICE)", async () => {
      const loop = new WriteLock();
      const raised: number[] = [];
      loop.inherit({
        raise: (tid) => {
          raised.push(tid);
          return raiseThread(tid);
        },
      });
      const { worker, next } = await lowerHolder(loop);
      try {
        const holding = await next();
        expect(holding.held).toBe(true);
        expect(nicenessOf(holding.tid)).toBe(Math.min(19, getPriority() + 10));
        const waiting = loop.acquire(true, 5000);
        await sleep(20);
        expect(raised).toEqual([holding.tid]);
        expect(loop.waits.raised).toBe(1);
        expect(nicenessOf(holding.tid)).toBe(getPriority());
        worker.postMessage("let go");
        const release = await waiting;
        const after = await next();
        expect(after.held).toBe(false);
        expect(nicenessOf(after.tid)).toBe(after.nice);
        release();
        expect(loop.waits.count).toBe(1);
        expect(loop.waits.maxMs).toBeGreaterThanOrEqual(15);
      } finally {
        await worker.terminate();
      }
    });

    it("stays below when raising it is refused, and the writer still has the lock once it is let go", async () => {
      const loop = new WriteLock();
      loop.inherit({ raise: () => false });
      const { worker, next } = await lowerHolder(loop);
      try {
        const holding = await next();
        const waiting = loop.acquire(true, 5000);
        await sleep(20);
        expect(loop.waits).toMatchObject({ raised: 0, refused: 1 });
        expect(nicenessOf(holding.tid)).toBe(holding.nice);
        worker.postMessage("let go");
        (await waiting)();
        expect((await next()).held).toBe(false);
        expect(nicenessOf(holding.tid)).toBe(holding.nice);
      } finally {
        await worker.terminate();
      }
    });
  });

  describe("on two connections to one file", () => {
    const clients: Client[] = [];
    afterEach(() => clients.splice(0).forEach((client) => client.close()));

    async function open(url: string, lock: WriteLock, first: boolean, giveWay?: () => Promise<void> | undefined): Promise<Client> {
      const client = createClient({ url });
      clients.push(client);
      await client.execute("PRAGMA journal_mode = WAL");
      await client.execute("PRAGMA busy_timeout = 5000");
      writeThroughLock(client, lock, { first, maxWaitMs: 5000, giveWay });
      return client;
    }

    it("makes the loop's write wait for the other's transaction without holding the loop, and reads go on meanwhile", async () => {
      const url = tempDatabaseUrl();
      const loopLock = new WriteLock();
      const loop = await open(url, loopLock, true);
      const bulk = await open(url, new WriteLock(loopLock.shared), false);
      await loop.execute("create table t (v integer)");

      const tx = await bulk.transaction("write");
      await tx.execute("insert into t values (1)");
      let written = false;
      const write = loop.execute("insert into t values (2)").then(() => (written = true));
      // The loop turns while its write waits: SQLite's busy handler would have slept on it.
      const ticks: number[] = [];
      for (let i = 0; i < 5; i++) {
        await sleep(10);
        ticks.push(i);
      }
      expect(ticks).toHaveLength(5);
      expect(written).toBe(false);
      expect(Number((await loop.execute("select count(*) as n from t")).rows[0].n)).toBe(0);
      await tx.commit();
      await write;
      expect((await loop.execute("select v from t order by rowid")).rows.map((row) => Number(row.v))).toEqual([1, 2]);
      expect(loopLock.held).toBe(false);
    });

    it("asks the other side's writes to give way just before each takes the lock, and they wait while told to", async () => {
      const url = tempDatabaseUrl();
      const loopLock = new WriteLock();
      const loop = await open(url, loopLock, true);
      let inHand: Promise<void> | undefined;
      let asked = 0;
      const bulk = await open(url, new WriteLock(loopLock.shared), false, () => (asked++, inHand));
      await loop.execute("create table t (v integer)");
      await bulk.execute("insert into t values (1)");
      expect(asked).toBe(1);

      let done!: () => void;
      inHand = new Promise<void>((resolve) => (done = resolve));
      let written = false;
      const write = bulk.batch(["insert into t values (2)"], "write").then(() => (written = true));
      await sleep(20);
      // Waiting, it holds nothing: the loop writes meanwhile.
      expect(written).toBe(false);
      expect(loopLock.held).toBe(false);
      await loop.execute("insert into t values (3)");
      inHand = undefined;
      done();
      await write;
      expect(asked).toBe(2);
      // Reads never ask.
      await bulk.execute("select count(*) from t");
      expect(asked).toBe(2);
      expect((await loop.execute("select v from t order by rowid")).rows.map((row) => Number(row.v))).toEqual([1, 3, 2]);
    });

    it("lets the lock go when a batch fails, and when a transaction is rolled back or closed", async () => {
      const url = tempDatabaseUrl();
      const lock = new WriteLock();
      const client = await open(url, lock, true);
      await client.execute("create table t (v integer not null)");
      await expect(client.batch(["insert into t values (1)", "insert into t values (null)"], "write")).rejects.toThrow(/NOT NULL/i);
      expect(lock.held).toBe(false);
      const rolled = await client.transaction("write");
      expect(lock.held).toBe(true);
      await rolled.rollback();
      expect(lock.held).toBe(false);
      const closed = await client.transaction("write");
      closed.close();
      expect(lock.held).toBe(false);
      await client.execute("insert into t values (3)");
      expect(Number((await client.execute("select count(*) as n from t")).rows[0].n)).toBe(1);
    });
  });
});
