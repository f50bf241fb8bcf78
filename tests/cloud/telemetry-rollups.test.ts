import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeMessage } from "../../shared/codec";
import type { EventMessage, HealthMessage, NodeMessage, TelemetryMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";
import { pruneOnce } from "../../cloud/telemetry/retention";
import { rollUpAll } from "../../cloud/telemetry/rollup";
import { testCloud, type TestCloud } from "../support/cloud";
import { health } from "../support/link-messages";

const bytes = (text: string) => new TextEncoder().encode(text);
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface Series {
  bucketMs: number;
  metrics: Record<string, { t: number[]; min: number[]; max: number[]; mean: number[]; n: number[] }>;
  resets: Array<{ at: number; bootId: number; reason: string | null }>;
}

/** Telemetry and heartbeats rolled up into 1-minute and 1-hour buckets, charts read from them, and old rows deleted in small batches. */
describe("telemetry rollups, series and retention", () => {
  let cloud: TestCloud;
  let seq = 100;
  beforeEach(async () => {
    cloud = await testCloud();
    // On the hour, so buckets are easy to name.
    cloud.clock.now = Date.UTC(2026, 10, 25, 8, 0, 0);
  });
  afterEach(() => cloud.close());

  const send = (message: NodeMessage) => cloud.ingest.handle(nodeTopic(message.node, message.type), bytes(encodeMessage(message)));
  const reading = (node: string, smokeRaw: number, temperatureC?: number): TelemetryMessage => ({
    v: 1, node, boot: 2, seq: seq++, t: seq * 1000, type: "telemetry", readings: { smokeRaw, ...(temperatureC === undefined ? {} : { temperatureC }) },
  });
  const beat = (node: string, changes: Partial<HealthMessage> = {}): HealthMessage => ({ ...health, node, seq: seq++, ...changes });
  const series = async (node: string, window: string) => (await (await cloud.get(`/api/nodes/${node}/series?window=${window}`)).json()) as Series;
  const count = async (table: string) => Number((await cloud.database.client.execute(`select count(*) as n from ${table}`)).rows[0].n);

  it("rolls readings and heartbeats into minute and hour buckets, each row counted once, however the steps fall", async () => {
    const booted: EventMessage = { v: 1, node: "smoke-r1", boot: 2, seq: seq++, t: 1, type: "event", name: "booted", data: { resetReason: "panic", firmware: "0.2.0" } };
    await send(booted);
    // Two hours of readings, one every 30 s: minute m sees 300 + m and 310 + m.
    for (let m = 0; m < 120; m++) {
      await send(reading("smoke-r1", 300 + m, 20));
      cloud.clock.now += 30_000;
      await send(reading("smoke-r1", 310 + m));
      if (m % 5 === 0) await send(beat("smoke-r1", { heap: { freeBytes: 150_000 - m * 10, minFreeBytes: 140_000 }, rssiDbm: -60 - (m % 20) }));
      cloud.clock.now += 30_000;
      // Roll up now and then mid-stream, with small steps: buckets fill across several steps.
      if (m % 37 === 0) await rollUpAll(cloud.database.db, 7);
    }
    await rollUpAll(cloud.database.db, 7);
    await rollUpAll(cloud.database.db); // nothing new: nothing counted twice

    const day = await series("smoke-r1", "24h");
    expect(day.bucketMs).toBe(5 * MINUTE);
    const smoke = day.metrics.smokeRaw;
    expect(smoke.n.reduce((a, b) => a + b, 0)).toBe(240);
    // The first five minutes: 300…304 and 310…314.
    expect(smoke.t[0]).toBe(Date.UTC(2026, 10, 25, 8, 0, 0));
    expect([smoke.min[0], smoke.max[0], smoke.mean[0]]).toEqual([300, 314, (300 + 301 + 302 + 303 + 304 + 310 + 311 + 312 + 313 + 314) / 10]);
    expect(day.metrics.temperatureC.n.reduce((a, b) => a + b, 0)).toBe(120);
    expect(day.metrics["heap.free"].n.reduce((a, b) => a + b, 0)).toBe(24);
    expect(Math.min(...day.metrics.rssi.min)).toBe(-75);

    const hour = await series("smoke-r1", "1h");
    expect(hour.bucketMs).toBe(MINUTE);
    expect(hour.metrics.smokeRaw.t).toHaveLength(60);
    expect(hour.metrics.smokeRaw.n.every((n) => n === 2)).toBe(true);

    const week = await series("smoke-r1", "7d");
    expect(week.bucketMs).toBe(HOUR);
    expect(week.metrics.smokeRaw.n).toEqual([120, 120]);
    expect(week.metrics.smokeRaw.min).toEqual([300, 360]);
    expect(week.metrics.smokeRaw.max).toEqual([369, 429]);
    expect(week.resets).toEqual([expect.objectContaining({ bootId: 2, reason: "panic" })]);

    expect((await cloud.get("/api/nodes/smoke-r1/series?window=2d")).status).toBe(400);
  });

  it("deletes raw rows after their days, only once rolled up, and rollups after theirs", async () => {
    // More than one delete batch (500 rows).
    await Promise.all(Array.from({ length: 600 }, (_, i) => send(reading("smoke-r2", i))));
    const settings = { rawDays: 2, minuteDays: 8, hourDays: 400 };
    cloud.clock.now += 3 * DAY;
    // Not rolled up yet: kept, however old.
    expect(await pruneOnce(cloud.database.db, cloud.clock.now, settings)).toMatchObject({ telemetry: 0 });
    expect(await count("telemetry")).toBe(600);
    await rollUpAll(cloud.database.db);
    await send(reading("smoke-r2", 5)); // fresh: stays
    const deleted = await pruneOnce(cloud.database.db, cloud.clock.now, settings);
    expect(deleted).toMatchObject({ telemetry: 600, telemetry_1m: 0, telemetry_1h: 0 });
    expect(await count("telemetry")).toBe(1);
    expect(await count("telemetry_1m")).toBe(1);
    cloud.clock.now += 6 * DAY; // nine days on: the minute buckets go, the hour buckets stay
    await rollUpAll(cloud.database.db);
    expect(await pruneOnce(cloud.database.db, cloud.clock.now, settings)).toMatchObject({ telemetry_1m: 1, telemetry_1h: 0 });
    expect(await count("telemetry_1m")).toBe(1);
    expect(await count("telemetry_1h")).toBe(2);
  });

  it("lists nodes worst first, filters by problem and pages on the server", async () => {
    await send(beat("node-ok"));
    await send(beat("node-weak", { rssiDbm: -88 }));
    await send(beat("node-heap", { heap: { freeBytes: 20_000, minFreeBytes: 12_000 } }));
    await send(beat("node-backlog", { outbox: { depth: 9, capacity: 32, alarms: 2 } }));
    await send(beat("node-fault", { sensors: { smoke: "fault" } }));
    await send({ v: 1, node: "node-off", boot: 1, seq: 1, t: 1, type: "status", online: false, firmware: "0.2.0" });
    const list = async (query = "") => (await (await cloud.get(`/api/nodes${query}`)).json()) as { nodes: Array<{ id: string; problems: string[] }>; total: number; counts: Record<string, number> };

    const all = await list();
    expect(all.nodes.map((n) => n.id)).toEqual(["node-off", "node-fault", "node-heap", "node-backlog", "node-weak", "node-ok"]);
    expect(all.counts).toMatchObject({ all: 6, offline: 1, fault: 1, lowHeap: 1, backlog: 1, weakRssi: 1 });
    expect(all.nodes[2].problems).toEqual(["lowHeap"]);
    expect((await list("?problems=weakRssi")).nodes.map((n) => n.id)).toEqual(["node-weak"]);
    expect((await list("?problems=lowHeap,backlog")).total).toBe(0);
    const page = await list("?limit=2&offset=2");
    expect(page.nodes.map((n) => n.id)).toEqual(["node-heap", "node-backlog"]);
    expect(page.total).toBe(6);
    const bad = await cloud.get("/api/nodes?problems=hungry&limit=0");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/problems.*limit|limit.*problems/s);
  });
});
