import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../cloud/db/client";
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
});
