import type { Client } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../cloud/db/client";
import { DatabaseTurns, takingTurns, withPriority, type Priority } from "../../cloud/db/turns";
import { tempDatabaseUrl } from "../support/cloud";

/** A client whose every call blocks the event loop for `busyMs`, as the embedded libSQL client does, and records its order. */
function blockingClient(busyMs: number, ran: string[]): Client {
  const spin = (label: string) => {
    const until = performance.now() + busyMs;
    while (performance.now() < until);
    ran.push(label);
    return { rows: [] };
  };
  return { execute: async (label: string) => spin(label), batch: async (labels: string[]) => labels.map(spin) } as unknown as Client;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("database turns", () => {
  it("serves waiting calls urgent first, then normal, then background, each in order of arrival", async () => {
    const ran: string[] = [];
    const client = takingTurns(blockingClient(0, ran), new DatabaseTurns(0));
    const calls: Array<Promise<unknown>> = [];
    const call = (priority: Priority, label: string) => calls.push(withPriority(priority, () => client.execute(label)));
    // Turns of 0 ms: every call waits for the next turn of the loop, and they are served by priority.
    call("normal", "n0");
    call("background", "b1");
    call("normal", "n1");
    call("urgent", "u1");
    call("background", "b2");
    call("urgent", "u2");
    call("normal", "n2");
    await Promise.all(calls);
    expect(ran).toEqual(["u1", "u2", "n0", "n1", "n2", "b1", "b2"]);
  });

  it("lets the event loop turn once a turn's database time is spent", async () => {
    const ran: string[] = [];
    const turns = new DatabaseTurns(8);
    const client = takingTurns(blockingClient(3, ran), turns);
    // A ticker counts turns of the loop while 40 calls of 3 ms each are chained back to back
    // from five callers: without turns they would run as one 120 ms task.
    let loops = 0;
    let ticking = true;
    const ticker = (async () => {
      while (ticking) {
        await turn();
        loops++;
      }
    })();
    const runsPerTurn = new Map<number, number>();
    const caller = async (name: string) => {
      for (let i = 0; i < 8; i++) {
        await client.execute(`${name}${i}`);
        runsPerTurn.set(loops, (runsPerTurn.get(loops) ?? 0) + 1);
      }
    };
    await Promise.all(["a", "b", "c", "d", "e"].map(caller));
    ticking = false;
    await ticker;
    expect(ran).toHaveLength(40);
    // 8 ms a turn at 3 ms a call: at most three calls (the third begun within the 8 ms) per turn.
    expect(Math.max(...runsPerTurn.values())).toBeLessThanOrEqual(3);
    expect(turns.stats.longestCallMs).toBeGreaterThanOrEqual(3);
  });

  it("does not wait on itself when a call makes another call before it returns", async () => {
    const ran: string[] = [];
    const raw = blockingClient(2, ran);
    const client = takingTurns(raw, new DatabaseTurns(0));
    const inner = client.execute.bind(client);
    // As a test double or a wrapper would: the outer call's work calls the client again.
    (client as { execute: unknown }).execute = async (label: string) => {
      await inner(`${label}:inner`);
      ran.push(label);
      return { rows: [] };
    };
    await Promise.all([client.execute("one"), client.execute("two"), withPriority("urgent", () => client.execute("three"))]);
    expect(ran.sort()).toEqual(["one", "one:inner", "three", "three:inner", "two", "two:inner"]);
  });

  it("holds the embedded database's statements to turns, and none of a server's", async () => {
    const database = await openDatabase(tempDatabaseUrl());
    try {
      expect(database.turns).toBeInstanceOf(DatabaseTurns);
      const { rows } = await database.client.execute("select 40 + 2 as answer");
      expect(rows[0].answer).toBe(42);
      const [a, b] = await database.client.batch(["select 1 as one", "select 2 as two"], "read");
      expect([a.rows[0].one, b.rows[0].two]).toEqual([1, 2]);
    } finally {
      database.close();
    }
  });
});
