import { createClient, type Client } from "@libsql/client";
import { afterEach, describe, expect, it } from "vitest";
import { batchesOnLoop, runLoopWrite, type LoopWrite } from "../../cloud/ingest/loop-writes";
import { tempDatabaseUrl } from "../support/cloud";

describe("the bulk thread's writes run on the loop", () => {
  const clients: Client[] = [];
  afterEach(() => clients.splice(0).forEach((client) => client.close()));

  /** A "thread" connection whose write batches go to a "loop" connection of the same file, as the two threads' messages would carry them. */
  async function pair(giveWay?: () => Promise<void> | undefined) {
    const url = tempDatabaseUrl();
    const loop = createClient({ url });
    const own = createClient({ url });
    clients.push(loop, own);
    await loop.execute("PRAGMA journal_mode = WAL");
    await loop.execute("create table t (id integer primary key, v text not null)");
    const asked: LoopWrite[] = [];
    const onLoop = batchesOnLoop(
      own,
      (write) => {
        asked.push(write);
        // Copied as a message between threads would be.
        void runLoopWrite(loop, structuredClone(write)).then((written) => onLoop.answer(structuredClone(written)));
      },
      giveWay,
    );
    return { loop, thread: onLoop.client, own, asked };
  }

  it("sends a write batch to the loop's connection and gives back its rows by column name and its counts", async () => {
    const { loop, thread, asked } = await pair();
    const results = await thread.batch(
      [
        { sql: "insert into t (v) values (?), (?) returning id, v", args: ["a", "b"] },
        { sql: "update t set v = v || '!' where v = ?", args: ["a"] },
      ],
      "write",
    );
    expect(asked).toHaveLength(1);
    expect(asked[0].mode).toBe("write");
    expect(results[0].rows.map((row) => ({ ...row }))).toEqual([
      { id: 1, v: "a" },
      { id: 2, v: "b" },
    ]);
    expect(results[1].rowsAffected).toBe(1);
    expect((await loop.execute("select v from t order by id")).rows.map((row) => row.v)).toEqual(["a!", "b"]);
  });

  it("keeps read batches and everything but batch on the thread's own connection, and leaves that connection's batch as it was", async () => {
    const { thread, own, asked } = await pair();
    const [result] = await thread.batch(["select count(*) as n from t"], "read");
    expect(Number(result.rows[0].n)).toBe(0);
    await thread.execute({ sql: "insert into t (v) values (?)", args: ["own"] });
    await own.batch([{ sql: "insert into t (v) values (?)", args: ["own too"] }], "write");
    expect(asked).toHaveLength(0);
    expect((await thread.execute("select v from t order by id")).rows.map((row) => row.v)).toEqual(["own", "own too"]);
  });

  it("fails the caller with the loop's error, and the failed transaction leaves nothing", async () => {
    const { loop, thread } = await pair();
    await expect(thread.batch([{ sql: "insert into t (v) values (?)", args: ["kept?"] }, "insert into t (v) values (null)"], "write")).rejects.toThrow(/NOT NULL/i);
    expect(Number((await loop.execute("select count(*) as n from t")).rows[0].n)).toBe(0);
  });

  it("waits while told to give way before it sends the write", async () => {
    let done!: () => void;
    let inHand: Promise<void> | undefined = new Promise<void>((resolve) => (done = resolve));
    const { thread, asked } = await pair(() => inHand);
    const write = thread.batch([{ sql: "insert into t (v) values (?)", args: ["x"] }], "write");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(asked).toHaveLength(0);
    inHand = undefined;
    done();
    await write;
    expect(asked).toHaveLength(1);
  });
});
