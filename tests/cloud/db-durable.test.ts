import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AlarmFeed } from "../../cloud/alarms/alarm-feed";
import { openDatabase } from "../../cloud/db/client";
import { createIngest } from "../../cloud/ingest/ingest";
import { memoryLogger } from "../../cloud/log";
import { encodeMessage } from "../../shared/codec";
import { nodeTopic } from "../../shared/topics";
import { DurableLog } from "../../cloud/db/durable";

describe("durable commits off the event loop", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const dir = () => {
    const made = mkdtempSync(join(tmpdir(), "sw-durable-"));
    dirs.push(made);
    return made;
  };

  it("runs the embedded database with synchronous NORMAL and syncs its log on request", async () => {
    const path = join(dir(), "db.sqlite");
    const database = await openDatabase(`file:${path}`);
    try {
      const { rows } = await database.client.execute("PRAGMA synchronous");
      expect(Number(rows[0].synchronous)).toBe(1); // NORMAL
      await database.client.execute("create table t (x integer)");
      await database.client.execute("insert into t values (1)");
      await expect(database.durable()).resolves.toBeUndefined();
    } finally {
      database.close();
    }
  });

  it("keeps its settings on every call, however many overlap: one connection, not a pool of unset ones", async () => {
    const database = await openDatabase(`file:${join(dir(), "db.sqlite")}`);
    try {
      const read = (pragma: string) => database.client.execute(`PRAGMA ${pragma}`).then(({ rows }) => Number(Object.values(rows[0])[0]));
      const overlapping = await Promise.all(Array.from({ length: 8 }, () => Promise.all([read("busy_timeout"), read("synchronous"), read("cache_size")])));
      expect(new Set(overlapping.map((settings) => settings.join(",")))).toEqual(new Set(["5000,1,-32768"]));
    } finally {
      database.close();
    }
  });

  it("shares one sync among callers that arrive while one is under way, and always begins one after each caller", async () => {
    const path = join(dir(), "db.sqlite");
    writeFileSync(path, "x");
    writeFileSync(`${path}-wal`, "y");
    const log = new DurableLog(path);
    const first = log.sync();
    // These arrive while the first is under way: it may have begun before their commits, so they share a second.
    const later = [log.sync(), log.sync(), log.sync()];
    await Promise.all([first, ...later]);
    expect(log.syncs).toBe(2);
    await log.sync();
    expect(log.syncs).toBe(3);
  });

  it("keeps the log open between syncs, and opens it again once SQLite removed or replaced it", async () => {
    const path = join(dir(), "db.sqlite");
    writeFileSync(path, "x");
    writeFileSync(`${path}-wal`, "y");
    const log = new DurableLog(path);
    try {
      await log.sync();
      const first = log.held!;
      expect(first.path).toBe(`${path}-wal`);
      await log.sync();
      expect(log.held).toEqual(first);
      // A new log under the same name (the old one removed): the sync must reach the new file, not the old inode.
      rmSync(`${path}-wal`);
      writeFileSync(`${path}-wal`, "z");
      await log.sync();
      expect(log.held!.path).toBe(`${path}-wal`);
      expect(log.held!.ino).toBe(statSync(`${path}-wal`).ino);
      rmSync(`${path}-wal`);
      await log.sync();
      expect(log.held!.path).toBe(path);
      expect(log.syncs).toBe(4);
    } finally {
      log.close();
    }
  });

  it("syncs the database file when there is no log (SQLite folded it in and removed it)", async () => {
    const path = join(dir(), "db.sqlite");
    writeFileSync(path, "x");
    const log = new DurableLog(path);
    await log.sync();
    expect(log.syncs).toBe(1);
    await expect(new DurableLog(join(dir(), "missing.sqlite")).sync()).rejects.toThrow(/ENOENT/);
  });

  it("reopens its connections with the same settings, the data kept", async () => {
    const database = await openDatabase(`file:${join(dir(), "db.sqlite")}`);
    try {
      await database.client.execute("create table t (x integer)");
      await database.client.execute("insert into t values (7)");
      await database.reopen();
      const value = async (pragma: string) => Object.values((await database.client.execute(`PRAGMA ${pragma}`)).rows[0])[0];
      expect(Number(await value("synchronous"))).toBe(1);
      expect(Number(await value("busy_timeout"))).toBe(5000);
      expect(String(await value("journal_mode"))).toBe("wal");
      expect(Number(await value("cache_size"))).toBeLessThan(-2000);
      expect((await database.client.execute("select x from t")).rows.map((row) => Number(row.x))).toEqual([7]);
    } finally {
      database.close();
    }
    const memory = await openDatabase("file::memory:");
    await expect(memory.reopen()).rejects.toThrow(/in-memory/);
    memory.close();
  });

  it("has the ingest reopen a connection that can no longer commit, and store the batch on it", async () => {
    const database = await openDatabase(`file:${join(dir(), "db.sqlite")}`);
    const log = memoryLogger();
    let reopened = 0;
    // The first transaction fails as a connection left with an active statement does.
    const batch = database.client.batch.bind(database.client);
    let failures = 1;
    database.client.batch = (async (...args: Parameters<typeof batch>) => {
      if (failures-- > 0) throw new Error("SQLITE_BUSY: cannot commit transaction - SQL statements in progress");
      return batch(...args);
    }) as typeof batch;
    const reopen = async () => {
      reopened++;
      await database.reopen();
    };
    try {
      const ingest = createIngest({ db: database.db, feed: new AlarmFeed(), log, now: Date.now, durable: database.durable, reopen });
      const reading = encodeMessage({ v: 1, node: "n-1", boot: 1, seq: 1, t: 1, type: "telemetry", readings: { smokeRaw: 300 } });
      expect(await ingest.handle(nodeTopic("n-1", "telemetry"), new TextEncoder().encode(reading))).toBe("stored");
      expect(reopened).toBe(1);
      expect(log.lines.some((line) => line.includes("reopens its database connection"))).toBe(true);
      expect(Number((await database.client.execute("select count(*) as n from telemetry")).rows[0].n)).toBe(1);
    } finally {
      database.close();
    }
  });
});
