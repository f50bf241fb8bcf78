import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../cloud/db/client";
import { STATEMENTS_KEPT, statementCacheStats } from "../../cloud/db/statement-cache";
import { tempDatabaseUrl } from "../support/cloud";

setFlagsFromString("--expose-gc");
/** A full collection now, then a turn of the loop so native finalizers queued by it run. */
const collect = async () => {
  (runInNewContext("gc") as () => void)();
  await new Promise((resolve) => setImmediate(resolve));
};

describe("prepared statements kept per embedded connection", () => {
  const opened: Database[] = [];
  afterEach(() => opened.splice(0).forEach((database) => database.close()));
  const open = async () => {
    const database = await openDatabase(tempDatabaseUrl(), undefined, { migrate: false, checkpoints: false });
    opened.push(database);
    await database.client.execute("create table readings (id integer primary key, node text not null, value real not null)");
    return database.client;
  };

  it("prepares a statement once and answers each use with its own arguments", async () => {
    const client = await open();
    const insert = "insert into readings (node, value) values (?, ?)";
    const before = { ...statementCacheStats };
    for (let i = 0; i < 20; i++) await client.execute({ sql: insert, args: [`n${i % 4}`, i] });
    expect(statementCacheStats.prepared - before.prepared).toBe(1);
    expect(statementCacheStats.reused - before.reused).toBe(19);
    for (let n = 0; n < 4; n++) {
      const { rows } = await client.execute({ sql: "select count(*) as c, sum(value) as s from readings where node = ?", args: [`n${n}`] });
      expect(Number(rows[0].c)).toBe(5);
      expect(Number(rows[0].s)).toBe([0, 1, 2, 3, 4].reduce((sum, k) => sum + k * 4 + n, 0));
    }
    // An insert with RETURNING reads rows; its columns are those of its own result.
    const { rows, columns } = await client.execute({ sql: "insert into readings (node, value) values (?, ?) returning id, node", args: ["n9", 9] });
    expect(columns).toEqual(["id", "node"]);
    expect(rows[0].node).toBe("n9");
  });

  it("gives whole answers when earlier results are collected between and during uses", async () => {
    const client = await open();
    // More than one native batch of rows (the driver fetches 100 at a time).
    await client.batch(Array.from({ length: 250 }, (_, i) => ({ sql: "insert into readings (node, value) values (?, ?)", args: [i % 2 ? "odd" : "even", i] })));
    const query = "select id, value from readings where node = ? order by id";
    for (let round = 0; round < 30; round++) {
      const node = round % 2 ? "odd" : "even";
      const { rows } = await client.execute({ sql: query, args: [node] });
      expect(rows).toHaveLength(125);
      expect(Number(rows[124].value)).toBe(node === "odd" ? 249 : 248);
      // The last round's rows are garbage now: their native results are finalized here, with
      // the statement they came from already used again below.
      await collect();
      const inBatch = await client.batch([{ sql: query, args: ["odd"] }, { sql: "insert into readings (node, value) values (?, ?)", args: ["x", round] }, { sql: query, args: ["even"] }]);
      expect(inBatch[0].rows).toHaveLength(125);
      expect(inBatch[2].rows).toHaveLength(125);
    }
    // Nothing was left part-way: a transaction still commits.
    await client.batch([{ sql: "delete from readings where node = ?", args: ["x"] }]);
    expect(Number((await client.execute("select count(*) as c from readings")).rows[0].c)).toBe(250);
  });

  it("drops a statement whose use failed, and the connection goes on committing", async () => {
    const client = await open();
    await client.execute("create unique index readings_node on readings (node)");
    const insert = "insert into readings (node, value) values (?, ?)";
    await client.execute({ sql: insert, args: ["a", 1] });
    const before = { ...statementCacheStats };
    await expect(client.execute({ sql: insert, args: ["a", 2] })).rejects.toThrow(/UNIQUE/);
    // Prepared again after the failure, then kept.
    await client.execute({ sql: insert, args: ["b", 3] });
    await client.execute({ sql: insert, args: ["c", 4] });
    expect(statementCacheStats.prepared - before.prepared).toBe(1);
    await client.batch([{ sql: insert, args: ["d", 5] }]);
    expect(Number((await client.execute("select count(*) as c from readings")).rows[0].c)).toBe(4);
  });

  it("forgets what it kept when the schema changes", async () => {
    const client = await open();
    await client.execute({ sql: "insert into readings (node, value) values (?, ?)", args: ["a", 1] });
    const all = "select * from readings";
    expect((await client.execute(all)).columns).toEqual(["id", "node", "value"]);
    await client.execute("alter table readings add column unit text");
    const after = await client.execute(all);
    expect(after.columns).toEqual(["id", "node", "value", "unit"]);
    expect(after.rows[0].unit).toBeNull();
  });

  it(`keeps at most ${STATEMENTS_KEPT} statements, the most recently used`, async () => {
    const client = await open();
    const text = (k: number) => `select ${k} as k from readings`;
    for (let k = 0; k <= STATEMENTS_KEPT; k++) await client.execute(text(k));
    const before = { ...statementCacheStats };
    await client.execute(text(STATEMENTS_KEPT));
    expect(statementCacheStats.reused - before.reused).toBe(1);
    // The first was dropped to make room for the last.
    await client.execute(text(0));
    expect(statementCacheStats.prepared - before.prepared).toBe(1);
  });
});
