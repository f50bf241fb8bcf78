import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { openDatabase, type Database } from "../../cloud/db/client";
import { WriteLock } from "../../cloud/db/write-lock";
import { memoryLogger } from "../../cloud/log";
import { waitFor } from "../support/wait";

const MIB = 1024 * 1024;

describe("checkpoints of the database's log on a thread of their own", () => {
  const opened: Database[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    opened.splice(0).forEach((database) => database.close());
    dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });
  const open = async (options: Parameters<typeof openDatabase>[2] = {}) => {
    const dir = mkdtempSync(join(tmpdir(), "sw-checkpoints-"));
    dirs.push(dir);
    const path = join(dir, "db.sqlite");
    // A bound on the log of 16 MiB, not 64: the restarts below need less filling.
    const database = await openDatabase(`file:${path}`, undefined, { migrate: false, restartLogAbovePages: 4096, ...options });
    opened.push(database);
    await database.client.execute("create table filler (x blob)");
    return { database, path };
  };
  /** Commits `mib` MiB of blobs, one MiB per transaction. */
  const fill = async (database: Database, mib: number) => {
    for (let i = 0; i < mib; i++) await database.client.execute(`insert into filler values (randomblob(${MIB}))`);
  };
  const walBytes = (path: string) => statSync(`${path}-wal`).size;

  it("never checkpoints in a commit: the log grows until the thread copies it", async () => {
    const { database, path } = await open();
    const { rows } = await database.client.execute("PRAGMA wal_autocheckpoint");
    expect(Number(Object.values(rows[0])[0])).toBe(0);
    await fill(database, 2);
    // 2 MiB, below the 4 MiB at which the thread starts: nothing has copied it into the file.
    expect(database.checkpoints).toMatchObject({ where: "not-started", runs: 0 });
    expect(walBytes(path)).toBeGreaterThan(2 * MIB);
    expect(statSync(path).size).toBeLessThan(MIB);
  });

  it("starts the thread once the log passes 4 MiB, and copies it into the database file", async () => {
    const { database, path } = await open();
    await fill(database, 6);
    await waitFor(() => database.checkpoints?.where === "thread", "the checkpoint thread started", 5000);
    await database.checkpoint();
    const stats = database.checkpoints!;
    expect(stats.runs).toBeGreaterThanOrEqual(1);
    expect(stats.frames).toBeGreaterThanOrEqual(6 * 256);
    expect(statSync(path).size).toBeGreaterThan(6 * MIB);
    const { rows } = await database.client.execute("select count(*) as n from filler");
    expect(Number(rows[0].n)).toBe(6);
  });

  it("starts a long log again from its beginning", async () => {
    const { database } = await open();
    await fill(database, 20);
    await waitFor(() => database.checkpoints?.where === "thread", "the checkpoint thread started", 5000);
    await database.checkpoint();
    expect(database.checkpoints!.restarts).toBeGreaterThanOrEqual(1);
    // The next commit writes at the log's beginning.
    await fill(database, 1);
    const { rows } = await database.client.execute("PRAGMA wal_checkpoint(PASSIVE)");
    // 1 MiB of blobs is ~260 pages: the log holds that commit, not the 21 MiB before it.
    expect(Number(rows[0].log)).toBeLessThan(1000);
    expect(new WriteLock(database.writeLock!).held).toBe(false);
  });

  it("restarts the log under the process's write lock: a writer holding it is waited for", async () => {
    const { database, path } = await open();
    // A writer of the loop's side holds the lock throughout, while another connection (not
    // through the lock) fills the log: a restart waits for the lock as long as it may (200 ms).
    const release = await new WriteLock(database.writeLock!).acquire(true, 1000);
    const other = createClient({ url: `file:${path}` });
    try {
      await other.execute("PRAGMA wal_autocheckpoint = 0");
      for (let i = 0; i < 20; i++) await other.execute(`insert into filler values (randomblob(${MIB}))`);
      await waitFor(() => (database.checkpoints?.restarts ?? 0) >= 1, "the log restarted", 5000);
    } finally {
      release();
      other.close();
    }
    expect(database.checkpoints!.longestLockWaitMs).toBeGreaterThanOrEqual(150);
  });

  it("makes this connection's writes wait while the lock is held, without holding the loop", async () => {
    const { database } = await open();
    const release = await new WriteLock(database.writeLock!).acquire(false, 1000);
    let written = false;
    const writing = database.client.execute("insert into filler values (x'00')").then(() => (written = true));
    // The loop runs its timers meanwhile: a write waiting in SQLite's busy handler would hold it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(written).toBe(false);
    release();
    await writing;
    expect(written).toBe(true);
  });

  it("leaves checkpoints to another connection when asked, and starts no thread", async () => {
    const { database } = await open({ checkpoints: false });
    await fill(database, 6);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(database.checkpoints).toBeNull();
    const { rows } = await database.client.execute("PRAGMA wal_autocheckpoint");
    expect(Number(Object.values(rows[0])[0])).toBe(0);
  });

  it("checkpoints on the connection, and says so, when the thread stops", async () => {
    const log = memoryLogger();
    const { database, path } = await open({ log, checkpointScript: new URL("../support/crashing-checkpoint-worker.ts", import.meta.url) });
    await fill(database, 6);
    await waitFor(() => database.checkpoints?.where === "connection", "checkpoints moved to the connection", 5000);
    expect(log.lines.some((line) => line.includes("checkpoint thread stopped"))).toBe(true);
    await database.checkpoint();
    expect(database.checkpoints!.frames).toBeGreaterThanOrEqual(6 * 256);
    expect(statSync(path).size).toBeGreaterThan(6 * MIB);
  });
});
