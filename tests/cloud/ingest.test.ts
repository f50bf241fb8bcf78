import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { alarms } from "../../cloud/db/schema";
import { encodeMessage } from "../../shared/codec";
import type { AlarmMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";
import { malformed } from "../support/messages";
import { testCloud, type TestCloud } from "../support/cloud";

const alarm: AlarmMessage = {
  v: 1, node: "smoke-001", boot: 1, seq: 5, t: 1000, type: "alarm",
  kind: "smoke", severity: "alarm", state: "raised", value: 900, unit: "raw", threshold: 700, evidence: [300, 900],
};
const bytes = (text: string) => new TextEncoder().encode(text);

describe("ingest", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await testCloud();
  });
  afterEach(() => cloud.database.close());

  const storedAlarms = async () => ((await (await cloud.get("/api/alarms")).json()) as { alarms: unknown[] }).alarms;

  it("stores a valid alarm and shows it in the API", async () => {
    expect(await cloud.ingest.handle(nodeTopic("smoke-001", "alarm"), bytes(encodeMessage(alarm)))).toBe("stored");
    const alarms = (await storedAlarms()) as Array<Record<string, unknown>>;
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ nodeId: "smoke-001", bootId: 1, seq: 5, kind: "smoke", state: "raised", value: 900, evidence: [300, 900] });
  });

  it("stores a replayed alarm once, by (node, boot, seq)", async () => {
    const seen: unknown[] = [];
    cloud.feed.subscribe((record) => seen.push(record));
    const topic = nodeTopic("smoke-001", "alarm");
    expect(await cloud.ingest.handle(topic, bytes(encodeMessage(alarm)))).toBe("stored");
    expect(await cloud.ingest.handle(topic, bytes(encodeMessage(alarm)))).toBe("duplicate");
    expect(await cloud.ingest.handle(topic, bytes(encodeMessage({ ...alarm, boot: 2 })))).toBe("stored");
    expect(await storedAlarms()).toHaveLength(2);
    expect(seen).toHaveLength(2);
    expect(cloud.ingest.stats).toMatchObject({ stored: 2, duplicates: 1 });
  });

  it("stores replayed telemetry once, whether the copy comes in the same batch, a later one, or mixed with new readings", async () => {
    const topic = nodeTopic("smoke-001", "telemetry");
    const reading = (seq: number) => bytes(encodeMessage({ v: 1, node: "smoke-001", boot: 1, seq, t: seq, type: "telemetry", readings: { smokeRaw: 300 + seq } }));
    // One batch: 1 and 2 new, 1 again.
    expect(await Promise.all([cloud.ingest.handle(topic, reading(1)), cloud.ingest.handle(topic, reading(2)), cloud.ingest.handle(topic, reading(1))])).toEqual(["stored", "stored", "duplicate"]);
    // A later batch: 2 and 1 replayed beside 3 and 4 new.
    expect(await Promise.all([cloud.ingest.handle(topic, reading(2)), cloud.ingest.handle(topic, reading(3)), cloud.ingest.handle(topic, reading(1)), cloud.ingest.handle(topic, reading(4))])).toEqual(["duplicate", "stored", "duplicate", "stored"]);
    const { rows } = await cloud.database.client.execute("select seq from telemetry where node_id = 'smoke-001' order by seq");
    expect(rows.map((row) => Number(row.seq))).toEqual([1, 2, 3, 4]);
    expect(cloud.ingest.stats).toMatchObject({ stored: 4, duplicates: 3 });
  });

  it("writes when a node that sends only telemetry was last seen about once a second, at once when it sends anything else, and all of it when idle", async () => {
    const t0 = cloud.clock.now;
    const send = (node: string, message: Record<string, unknown>) =>
      cloud.ingest.handle(nodeTopic(node, message.type as "telemetry"), bytes(encodeMessage({ v: 1, node, boot: 1, t: 0, ...message } as never)));
    const telemetry = (seq: number, node = "smoke-001") => send(node, { type: "telemetry", seq, readings: { smokeRaw: 300 + seq } });
    const row = async () => {
      const { rows } = await cloud.database.client.execute("select readings, last_seen_at from nodes where id = 'smoke-001'");
      return { readings: JSON.parse(String(rows[0].readings)).smokeRaw - 300, lastSeenAt: Number(rows[0].last_seen_at) - t0 };
    };
    const later = (ms: number) => (cloud.clock.now += ms);

    expect(await telemetry(1)).toBe("stored");
    expect(await row()).toEqual({ readings: 1, lastSeenAt: 0 }); // a node's first sighting: at once
    later(200);
    expect(await telemetry(2)).toBe("stored");
    expect(await row()).toEqual({ readings: 1, lastSeenAt: 0 }); // stored, its node's row not rewritten yet
    later(200);
    const heartbeat = { type: "health", seq: 3, kind: "smoke", firmware: "1.0.0", intervalMs: 60_000, resetReason: "power-on", sensors: {}, outbox: { depth: 0, capacity: 64, alarms: 0 }, dropped: { telemetry: 0, event: 0, alarm: 0 } };
    expect(await send("smoke-001", heartbeat)).toBe("stored");
    expect(await row()).toEqual({ readings: 2, lastSeenAt: 400 }); // a heartbeat: at once, with the readings that waited
    later(200);
    expect(await telemetry(4)).toBe("stored");
    later(1000);
    expect(await telemetry(1, "smoke-002")).toBe("stored");
    expect(await row()).toEqual({ readings: 4, lastSeenAt: 600 }); // a second on, another node's batch carried it
    later(200);
    expect(await telemetry(5)).toBe("stored");
    await cloud.ingest.idle();
    expect(await row()).toEqual({ readings: 5, lastSeenAt: 1800 });
    const { rows } = await cloud.database.client.execute("select count(*) as n from telemetry where node_id = 'smoke-001'");
    expect(Number(rows[0].n)).toBe(4);
  });

  it("writes a waiting last sighting by itself a second later when no other batch comes", async () => {
    const telemetry = (seq: number) =>
      cloud.ingest.handle(nodeTopic("smoke-001", "telemetry"), bytes(encodeMessage({ v: 1, node: "smoke-001", boot: 1, seq, t: 0, type: "telemetry", readings: { smokeRaw: seq } })));
    const readings = async () => (await cloud.database.client.execute("select readings from nodes where id = 'smoke-001'")).rows[0].readings;
    await telemetry(1);
    await telemetry(2);
    expect(await readings()).toBe('{"smokeRaw":1}');
    const waitedFrom = performance.now();
    await vi.waitFor(async () => expect(await readings()).toBe('{"smokeRaw":2}'), { timeout: 3000, interval: 50 });
    expect(performance.now() - waitedFrom).toBeGreaterThan(800);
  });

  it("stores a flooding node's alarms behind another node's, every one of them and in its order", async () => {
    const flood = Array.from({ length: 1000 }, (_, i) =>
      cloud.ingest.handle(nodeTopic("smoke-flood", "alarm"), bytes(encodeMessage({ ...alarm, node: "smoke-flood", seq: i + 1, state: i % 2 ? "cleared" : "raised" }))),
    );
    const settledAt: Record<string, number> = {};
    let order = 0;
    flood.forEach((done, i) => void done.then(() => (settledAt[`flood-${i + 1}`] = order++)));
    const other = cloud.ingest.handle(nodeTopic("smoke-002", "alarm"), bytes(encodeMessage({ ...alarm, node: "smoke-002", seq: 1 })));
    void other.then(() => (settledAt.other = order++));
    expect(await Promise.all(flood)).toEqual(flood.map(() => "stored"));
    expect(await other).toBe("stored");
    // Past its budget (20 at once) the flood is stored 100 at a time behind everything else, so the
    // other node's alarm, which arrived after all 1,000, waits for at most a batch under way.
    const floodBefore = Object.entries(settledAt).filter(([key, at]) => key !== "other" && at < settledAt.other).length;
    expect(floodBefore).toBeLessThanOrEqual(20 + 2 * 100);
    const flooded = await cloud.database.db.select({ seq: alarms.seq }).from(alarms).where(eq(alarms.nodeId, "smoke-flood")).orderBy(alarms.id);
    expect(flooded.map((row) => row.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it("rejects every malformed message with a counted, logged reason and stores nothing", async () => {
    for (const [name, topic, text] of malformed) {
      expect(await cloud.ingest.handle(topic, bytes(text)), name).toBe("rejected");
    }
    expect(await cloud.ingest.handle(nodeTopic("smoke-001", "alarm"), new Uint8Array([0xff, 0xfe, 0x7b]))).toBe("rejected");

    const expected: Record<string, number> = {};
    for (const [, , , reason] of malformed) expected[reason] = (expected[reason] ?? 0) + 1;
    expected["malformed-json"]++;
    const stats = (await (await cloud.get("/api/ingest/stats")).json()) as { rejected: Record<string, number>; stored: number };
    for (const [reason, count] of Object.entries(expected)) expect(stats.rejected[reason], reason).toBe(count);
    expect(stats.stored).toBe(0);
    expect(await storedAlarms()).toHaveLength(0);
    expect(((await (await cloud.get("/api/nodes")).json()) as { nodes: unknown[] }).nodes).toHaveLength(0);
    // Logged at most once a minute per node (or per topic that names none), every line with its reason.
    const logged = cloud.log.lines.filter((line) => line.includes("ingest rejected"));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.length).toBeLessThan(malformed.length);
    expect(logged.every((line) => /reason="[a-z-]+"/.test(line))).toBe(true);
  });
});
