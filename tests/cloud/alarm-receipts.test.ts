import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AlarmFeed } from "../../cloud/alarms/alarm-feed";
import { openDatabase, type Database } from "../../cloud/db/client";
import { createIngest } from "../../cloud/ingest/ingest";
import { AlarmReceipts } from "../../cloud/ingest/receipts";
import { createLogger } from "../../cloud/log";
import { encodeMessage } from "../../shared/codec";
import type { AlarmMessage } from "../../shared/messages";
import { decodeReceipt, MAX_RECEIPT_SEQS } from "../../shared/receipts";
import { nodeTopic } from "../../shared/topics";

const alarm = (node: string, seq: number, boot = 1): AlarmMessage => ({
  v: 1, node, boot, seq, t: 1000, type: "alarm",
  kind: "smoke", severity: "alarm", state: seq % 2 ? "raised" : "cleared", value: 900, unit: "raw", threshold: 700,
});
const bytes = (message: AlarmMessage | Record<string, unknown>) => new TextEncoder().encode(encodeMessage(message as AlarmMessage));
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("alarm receipts", () => {
  let database: Database;
  let sent: Array<{ topic: string; receipt: ReturnType<typeof decodeReceipt> }>;
  let onDisk: Promise<void>;
  let putOnDisk: () => void;
  const start = () => {
    const receipts = new AlarmReceipts((topic, payload) => sent.push({ topic, receipt: decodeReceipt(payload) }));
    const ingest = createIngest({
      db: database.db,
      feed: new AlarmFeed(),
      log: createLogger(() => {}, "error"),
      now: Date.now,
      durable: () => onDisk,
      receipts,
    });
    return { ingest, receipts };
  };
  beforeEach(async () => {
    database = await openDatabase(`file:${join(mkdtempSync(join(tmpdir(), "sw-receipts-")), "cloud.db")}`);
    sent = [];
    onDisk = new Promise((resolve) => (putOnDisk = resolve));
  });
  afterEach(() => database.close());

  it("tells a node its alarms are stored only once they are on disk, one receipt per node and boot", async () => {
    const { ingest, receipts } = start();
    const handled = [
      ingest.handle(nodeTopic("smoke-001", "alarm"), bytes(alarm("smoke-001", 1))),
      ingest.handle(nodeTopic("smoke-001", "alarm"), bytes(alarm("smoke-001", 2))),
      ingest.handle(nodeTopic("smoke-002", "alarm"), bytes(alarm("smoke-002", 7, 3))),
      ingest.handle(nodeTopic("smoke-003", "telemetry"), bytes({ v: 1, node: "smoke-003", boot: 1, seq: 1, t: 0, type: "telemetry", readings: { smokeRaw: 1 } })),
    ];
    // Committed, but the log is not yet on disk: nobody is told.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sent).toEqual([]);
    putOnDisk();
    expect(await Promise.all(handled)).toEqual(["stored", "stored", "stored", "stored"]);
    await turn();
    expect(sent).toEqual([
      { topic: "sw/v1/node/smoke-001/cmd/stored", receipt: { boot: 1, seqs: [1, 2] } },
      { topic: "sw/v1/node/smoke-002/cmd/stored", receipt: { boot: 3, seqs: [7] } },
    ]);
    expect(receipts).toMatchObject({ sent: 2, named: 3 });
  });

  it("receipts a copy again (its node sent it because no receipt came), never a rejected alarm, and splits a long replay", async () => {
    putOnDisk();
    const { ingest } = start();
    expect(await ingest.handle(nodeTopic("smoke-001", "alarm"), bytes(alarm("smoke-001", 5)))).toBe("stored");
    await turn();
    expect(await ingest.handle(nodeTopic("smoke-001", "alarm"), bytes(alarm("smoke-001", 5)))).toBe("duplicate");
    // On another node's topic: rejected, and nobody is told anything.
    expect(await ingest.handle(nodeTopic("smoke-009", "alarm"), bytes(alarm("smoke-001", 6)))).toBe("rejected");
    await turn();
    expect(sent.map((s) => s.receipt)).toEqual([{ boot: 1, seqs: [5] }, { boot: 1, seqs: [5] }]);

    sent = [];
    const replay = Array.from({ length: MAX_RECEIPT_SEQS + 6 }, (_, i) => ingest.handle(nodeTopic("smoke-004", "alarm"), bytes(alarm("smoke-004", i + 1))));
    expect(new Set(await Promise.all(replay))).toEqual(new Set(["stored"]));
    await turn();
    const named = sent.flatMap((s) => s.receipt!.seqs).sort((a, b) => a - b);
    expect(named).toEqual(Array.from({ length: MAX_RECEIPT_SEQS + 6 }, (_, i) => i + 1));
    expect(sent.every((s) => s.receipt!.seqs.length <= MAX_RECEIPT_SEQS)).toBe(true);
  });
});
