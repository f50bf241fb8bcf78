import { describe, expect, it } from "vitest";
import { AlarmFeed } from "../../cloud/alarms/alarm-feed";
import type { AlarmRecord } from "../../cloud/alarms/alarm-record";
import { openDatabase } from "../../cloud/db/client";
import { createIngest } from "../../cloud/ingest/ingest";
import { memoryLogger } from "../../cloud/log";
import { encodeMessage } from "../../shared/codec";
import { nodeTopic } from "../../shared/topics";
import { tempDatabaseUrl } from "../support/cloud";
import { alarm } from "../support/messages";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("an alarm's way through the ingest, against the disk", () => {
  it("is announced to the desk once committed, while the disk syncs, and acknowledged only after the sync", async () => {
    const database = await openDatabase(tempDatabaseUrl());
    try {
      // The disk's sync, held until the test lets it finish.
      let finishSync!: () => void;
      let syncs = 0;
      const durable = () => {
        syncs++;
        return new Promise<void>((resolve) => (finishSync = resolve));
      };
      const feed = new AlarmFeed();
      const announced: AlarmRecord[] = [];
      feed.subscribe((record) => announced.push(record));
      const ingest = createIngest({ db: database.db, feed, log: memoryLogger(), now: Date.now, durable });

      let acknowledged = false;
      const handled = ingest.handle(nodeTopic("smoke-001", "alarm"), bytes(encodeMessage({ ...alarm, node: "smoke-001", seq: 7 }))).then((outcome) => {
        acknowledged = true;
        return outcome;
      });
      await expect.poll(() => syncs).toBe(1);
      // Committed and announced, the sync still under way: the node has no answer yet.
      expect(announced.map((a) => [a.nodeId, a.seq])).toEqual([["smoke-001", 7]]);
      const { rows } = await database.client.execute("select count(*) as n from alarms");
      expect(Number(rows[0].n)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(acknowledged).toBe(false);

      finishSync();
      expect(await handled).toBe("stored");
      expect(announced).toHaveLength(1);
    } finally {
      database.close();
    }
  });
});
