import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { AlarmFeed } from "../../cloud/alarms/alarm-feed";
import { openDatabase } from "../../cloud/db/client";
import { GroupCommit } from "../../cloud/ingest/group-commit";
import { createIngest } from "../../cloud/ingest/ingest";
import { memoryLogger } from "../../cloud/log";
import { encodeMessage } from "../../shared/codec";
import { nodeTopic } from "../../shared/topics";
import { alarm } from "../support/messages";
import { tempDatabaseUrl } from "../support/cloud";
import { PacedReader } from "../../cloud/ingest/subscriber";
import { SharedCalm, Urgency } from "../../cloud/time/urgency";

const bytes = (text: string) => new TextEncoder().encode(text);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Holds the loop for `ms` (what parsing a big read costs). */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

class FakeSocket extends EventEmitter {
  paused = false;
  pauses = 0;
  pause() {
    this.paused = true;
    this.pauses++;
    return this;
  }
  resume() {
    this.paused = false;
    return this;
  }
}

describe("sharing the event loop", () => {
  describe("Urgency", () => {
    it("lets waiting work through at once when nothing is urgent, when the urgent work ends, or after its longest wait", async () => {
      const urgency = new Urgency();
      let calmAt = -1;
      await urgency.calm(1000).then(() => (calmAt = 0));
      expect(calmAt).toBe(0);

      const end = urgency.begin();
      expect(urgency.pressing).toBe(true);
      let through = false;
      const waiting = urgency.calm(10_000).then(() => (through = true));
      await sleep(20);
      expect(through).toBe(false);
      end();
      end(); // ending twice counts once
      await waiting;
      expect(through).toBe(true);
      expect(urgency.pressing).toBe(false);

      const endA = urgency.begin();
      const endB = urgency.begin();
      endA();
      expect(urgency.pressing).toBe(true);
      const started = performance.now();
      await urgency.calm(30);
      expect(performance.now() - started).toBeGreaterThanOrEqual(25);
      endB();
    });

    it("is seen through shared memory by another thread's SharedCalm: pressing, waited for, and waited for at most its longest wait", async () => {
      const urgency = new Urgency();
      const far = new SharedCalm(urgency.shared);
      expect(far.pressing).toBe(false);
      await far.calm(10_000);

      const endA = urgency.begin();
      const endB = urgency.begin();
      expect(far.pressing).toBe(true);
      let through = false;
      const waiting = far.calm(10_000).then(() => (through = true));
      endA();
      await sleep(20);
      expect(through).toBe(false);
      endB();
      await waiting;
      expect(far.pressing).toBe(false);

      const endC = urgency.begin();
      const started = performance.now();
      await far.calm(30);
      expect(performance.now() - started).toBeGreaterThanOrEqual(25);
      expect(far.pressing).toBe(true);
      endC();
    });
  });

  describe("GroupCommit", () => {
    it("writes at the next turn by default, and gathers for gatherMs when asked, in fewer, larger transactions", async () => {
      const writes: number[][] = [];
      const write = async (items: number[]) => {
        writes.push(items);
        return items;
      };
      const prompt = new GroupCommit<number, number>(write, 1000);
      const first = prompt.add(1);
      await turn();
      await turn();
      const second = prompt.add(2);
      await Promise.all([first, second]);
      expect(writes).toEqual([[1], [2]]);

      writes.length = 0;
      const gathered = new GroupCommit<number, number>(write, 1000, { gatherMs: 40 });
      const added = [gathered.add(1)];
      await turn();
      await sleep(10);
      added.push(gathered.add(2), gathered.add(3));
      expect(writes).toEqual([]);
      await Promise.all(added);
      expect(writes).toEqual([[1, 2, 3]]);

      // A full batch does not wait.
      writes.length = 0;
      const small = new GroupCommit<number, number>(write, 2, { gatherMs: 10_000 });
      const started = performance.now();
      await Promise.all([small.add(1), small.add(2)]);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(writes).toEqual([[1, 2]]);
    });

    it("writes the next batch while the last one settles, and settles and resolves them in order", async () => {
      const events: string[] = [];
      const syncs: Array<() => void> = [];
      const commit = new GroupCommit<number, string, number[]>(
        async (items) => {
          events.push(`write ${items.join(",")}`);
          return items;
        },
        1000,
        {
          // A sync that ends when the test says so.
          settle: async (written) => {
            await new Promise<void>((resolve) => syncs.push(resolve));
            events.push(`settled ${written.join(",")}`);
            return written.map((item) => `ok ${item}`);
          },
        },
      );
      const first = commit.add(1).then((result) => events.push(`resolved ${result}`));
      await turn();
      await turn();
      const second = commit.add(2).then((result) => events.push(`resolved ${result}`));
      await turn();
      await turn();
      // The second batch is written while the first still waits for its sync.
      expect(events).toEqual(["write 1", "write 2"]);
      // One settles at a time, in order: the second's sync is asked for once the first is done.
      expect(syncs).toHaveLength(1);
      let idle = false;
      const waitingIdle = commit.idle().then(() => (idle = true));
      syncs[0]();
      await first;
      await turn();
      expect(events).toEqual(["write 1", "write 2", "settled 1", "resolved ok 1"]);
      expect(idle).toBe(false);
      expect(syncs).toHaveLength(2);
      syncs[1]();
      await Promise.all([second, waitingIdle]);
      expect(events).toEqual(["write 1", "write 2", "settled 1", "resolved ok 1", "settled 2", "resolved ok 2"]);
      expect(idle).toBe(true);
    });
  });

  describe("the ingest", () => {
    it("holds telemetry back while the cloud has an alarm in hand, never the alarm itself, and lets it through when calm or after its longest wait", async () => {
      const database = await openDatabase(tempDatabaseUrl());
      const urgency = new Urgency();
      const ingest = createIngest({ db: database.db, feed: new AlarmFeed(), log: memoryLogger(), now: () => 1_000_000, durable: database.durable, calm: (ms) => urgency.calm(ms) });
      try {
        const end = urgency.begin();
        let telemetryStored = false;
        const telemetry = ingest
          .handle(nodeTopic("smoke-001", "telemetry"), bytes(encodeMessage({ v: 1, node: "smoke-001", boot: 1, seq: 1, t: 1, type: "telemetry", readings: { smokeRaw: 300 } })))
          .then((outcome) => ((telemetryStored = true), outcome));
        expect(await ingest.handle(nodeTopic("smoke-001", "alarm"), bytes(encodeMessage({ ...alarm, seq: 2 })))).toBe("stored");
        await sleep(150);
        expect(telemetryStored).toBe(false);
        end();
        expect(await telemetry).toBe("stored");

        // Urgent work that never ends holds telemetry for at most about a second (BULK_YIELD_MS).
        urgency.begin();
        const started = performance.now();
        expect(await ingest.handle(nodeTopic("smoke-001", "telemetry"), bytes(encodeMessage({ v: 1, node: "smoke-001", boot: 1, seq: 3, t: 3, type: "telemetry", readings: { smokeRaw: 310 } })))).toBe("stored");
        expect(performance.now() - started).toBeGreaterThanOrEqual(900);
      } finally {
        database.close();
      }
    });
  });

  describe("PacedReader", () => {
    it("feeds a large read a few kilobytes at a time within its budget per turn, pausing the socket until the rest is fed", async () => {
      const socket = new FakeSocket();
      const fed: number[] = [];
      const turnsFed = new Set<number>();
      let turnNo = 0;
      const ticker = setInterval(() => turnNo++, 0);
      const reader = new PacedReader(
        socket as unknown as Socket,
        (piece) => {
          fed.push(piece.length);
          turnsFed.add(turnNo);
          busy(2);
        },
        5,
        () => false,
      );
      const chunk = Buffer.alloc(64 * 1024, 7);
      reader.take(chunk);
      // The first turn took a few pieces, not the whole read, and stopped the socket.
      expect(fed.length).toBeGreaterThan(0);
      expect(fed.length).toBeLessThan(16);
      expect(socket.paused).toBe(true);
      while (fed.reduce((a, b) => a + b, 0) < chunk.length) await turn();
      clearInterval(ticker);
      expect(fed.reduce((a, b) => a + b, 0)).toBe(chunk.length);
      expect(Math.max(...fed)).toBeLessThanOrEqual(4096);
      expect(turnsFed.size).toBeGreaterThan(1);
      await turn();
      expect(socket.paused).toBe(false);
    });

    it("reads nothing while told to hold, with the socket paused, and goes on once the hold ends", async () => {
      const socket = new FakeSocket();
      const seen: number[] = [];
      let release: () => void = () => undefined;
      let holding: Promise<void> | undefined = new Promise<void>((resolve) => (release = resolve));
      const reader = new PacedReader(socket as unknown as Socket, (piece) => seen.push(piece.length), 5, () => false, () => holding);
      reader.take(Buffer.alloc(1000));
      await turn();
      await sleep(20);
      expect(seen).toEqual([]);
      expect(socket.paused).toBe(true);
      holding = undefined;
      release();
      await turn();
      await turn();
      expect(seen).toEqual([1000]);
      expect(socket.paused).toBe(false);
    });

    it("keeps the bytes in order across turns and drops what is left once stopped", async () => {
      const socket = new FakeSocket();
      const seen: Buffer[] = [];
      let stopped = false;
      const reader = new PacedReader(socket as unknown as Socket, (piece) => (seen.push(Buffer.from(piece)), busy(1)), 2, () => stopped);
      const first = Buffer.from(Array.from({ length: 20_000 }, (_, i) => i % 251));
      const second = Buffer.from("the next read");
      reader.take(first);
      reader.take(second);
      while (socket.paused) await turn();
      expect(Buffer.concat(seen).equals(Buffer.concat([first, second]))).toBe(true);

      seen.length = 0;
      reader.take(Buffer.alloc(50_000));
      stopped = true;
      const fedBefore = seen.length;
      await turn();
      await turn();
      expect(seen.length).toBe(fedBefore);
    });
  });
});
