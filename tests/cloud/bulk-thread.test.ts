import mqtt from "mqtt";
import { readdirSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlarmFeed } from "../../cloud/alarms/alarm-feed";
import type { AlarmRecord } from "../../cloud/alarms/alarm-record";
import { BULK_THREAD_NICER, startBulkThread } from "../../cloud/ingest/bulk-thread";
import { Urgency } from "../../cloud/time/urgency";
import { WriteLock } from "../../cloud/db/write-lock";
import { memoryLogger } from "../../cloud/log";
import { RETENTION_DEFAULTS } from "../../cloud/telemetry/retention";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { encodeMessage } from "../../shared/codec";
import type { NodeMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { waitFor } from "../support/wait";

/** The cloud as the system runs it: telemetry, heartbeats and statuses on their own thread, alarms on the loop. */
describe("the bulk ingest thread", () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  let node: mqtt.MqttClient;
  const log = memoryLogger();
  const announced: AlarmRecord[] = [];

  const databaseUrl = tempDatabaseUrl();
  const start = () =>
    startCloud({ databaseUrl, mqtt: { url: broker.url, protocolVersion: 5 }, instanceId: `bulk-thread-${process.pid}`, port: 0, host: "127.0.0.1", log, bulkThread: true });

  beforeAll(async () => {
    broker = await startMosquitto();
    cloud = await start();
    cloud.feed.subscribe((alarm) => announced.push(alarm));
    node = await mqtt.connectAsync(broker.url, { clientId: "bulk-1", protocolVersion: 4 });
  });
  afterAll(async () => {
    await node?.endAsync();
    await cloud?.close();
    await broker?.stop();
  });

  let seq = 0;
  const send = (body: Record<string, unknown>) => {
    const message = { v: 1, node: "bulk-1", boot: 1, seq: ++seq, t: seq * 10, ...body } as NodeMessage;
    return node.publishAsync(nodeTopic("bulk-1", message.type as never), encodeMessage(message), { qos: 1 });
  };

  it("stores telemetry, heartbeats and statuses from its own session, and counts them with the loop's", async () => {
    await send({ type: "status", online: true, firmware: "0.2.0" });
    for (let i = 0; i < 20; i++) await send({ type: "telemetry", readings: { smokeRaw: 300 + i } });
    await send({
      type: "health",
      kind: "smoke",
      firmware: "0.2.0",
      intervalMs: 60_000,
      resetReason: "power-on",
      sensors: {},
      outbox: { depth: 0, capacity: 32, alarms: 0 },
      dropped: { telemetry: 0, event: 0, alarm: 0 },
    });
    await waitFor(async () => Number((await cloud.database.client.execute("select count(*) as n from node_health where node_id = 'bulk-1'")).rows[0].n) === 1, "the heartbeat");
    await cloud.ingest.idle();
    const { rows: readings } = await cloud.database.client.execute("select count(*) as n from telemetry where node_id = 'bulk-1'");
    expect(Number(readings[0].n)).toBe(20);
    const { rows } = await cloud.database.client.execute("select online, firmware from nodes where id = 'bulk-1'");
    expect(rows[0]).toMatchObject({ online: 1, firmware: "0.2.0" });
    // Its counts are the thread's: none of these went through the loop's ingest.
    expect(cloud.ingest.stats).toMatchObject({ received: 22, stored: 22, failed: 0 });
    expect((await cloud.app.request("/api/ingest/stats")).status).toBe(401);
  });

  it("leaves alarms to the loop's own session, which announces them", async () => {
    const before = cloud.ingest.stats.received;
    await send({ type: "alarm", kind: "smoke", severity: "alarm", state: "raised", value: 900, unit: "raw", threshold: 700 });
    await waitFor(() => announced.some((alarm) => alarm.nodeId === "bulk-1" && alarm.seq === seq), "the alarm announced");
    await cloud.ingest.idle();
    expect(cloud.ingest.stats.received).toBe(before + 1);
  });

  it("refuses a bad message on the thread, logs it through the cloud's logger and counts it", async () => {
    await node.publishAsync(nodeTopic("bulk-1", "telemetry"), "{not json", { qos: 1 });
    await waitFor(() => log.lines.some((line) => line.includes("ingest rejected a message") && line.includes("bulk-1")), "the rejection logged");
    await cloud.ingest.idle();
    expect(cloud.ingest.stats.rejected["malformed-json"]).toBe(1);
    expect(cloud.ingest.stats.rejectedByNode).toEqual([expect.objectContaining({ node: "bulk-1", total: 1, lastReason: "malformed-json" })]);
  });

  it("runs below the loop's scheduling priority, and leaves every other thread of the process as it was", async () => {
    // Each thread's niceness, from the kernel (Linux /proc: field 19 of a task's stat).
    const niceness = () =>
      readdirSync(`/proc/${process.pid}/task`).map((tid) => {
        const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
      });
    const loop = getPriority();
    expect(cloud.bulkThread!.nice).toBe(Math.min(19, loop + BULK_THREAD_NICER));
    const threads = niceness();
    expect(threads.filter((nice) => nice === cloud.bulkThread!.nice)).toHaveLength(1);
    expect(threads.filter((nice) => nice !== cloud.bulkThread!.nice).every((nice) => nice === loop)).toBe(true);
  });

  it("tells its own JS heap, which the process's heap figures do not hold", async () => {
    await waitFor(() => cloud.bulkThread?.heap !== null, "the thread's heap");
    const heap = cloud.bulkThread!.heap!;
    expect(heap.used).toBeGreaterThan(1_000_000);
    expect(heap.total).toBeGreaterThanOrEqual(heap.used);
  });

  it("checkpoints the log in no commit of the loop's connection (the checkpoint thread does: cloud/db/checkpoints.ts)", async () => {
    const { rows } = await cloud.database.client.execute("PRAGMA wal_autocheckpoint");
    expect(Number(Object.values(rows[0])[0])).toBe(0);
  });

  /** Runs `work` and returns every statement the loop's own connection was given meanwhile. */
  async function statementsOnLoop(work: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const client = cloud.database.client;
    const { batch, execute } = client;
    const text = (statement: unknown) => String(typeof statement === "string" ? statement : (statement as { sql: string }).sql);
    client.batch = ((statements: unknown[], ...rest: unknown[]) => {
      seen.push(...statements.map(text));
      return (batch as (...args: unknown[]) => unknown).call(client, statements, ...rest);
    }) as typeof client.batch;
    client.execute = ((statement: unknown, ...rest: unknown[]) => {
      seen.push(text(statement));
      return (execute as (...args: unknown[]) => unknown).call(client, statement, ...rest);
    }) as typeof client.execute;
    try {
      await work();
    } finally {
      client.batch = batch;
      client.execute = execute;
    }
    return seen;
  }

  it("rolls telemetry up on the thread, not on the loop the alarms share", async () => {
    const onLoop = await statementsOnLoop(() => cloud.telemetry.run());
    const { rows } = await cloud.database.client.execute("select n, min, max from telemetry_1m where node_id = 'bulk-1' and metric = 'smokeRaw'");
    expect(rows.map((row) => [Number(row.n), Number(row.min), Number(row.max)])).toEqual([[20, 300, 319]]);
    expect(onLoop.filter((statement) => /telemetry_1[mh]|rollup_progress/.test(statement))).toEqual([]);
  });

  it("sweeps silent nodes offline on the thread, and gives back which", async () => {
    const longAgo = Date.now() - 3_600_000;
    await cloud.database.client.execute({
      sql: "insert into nodes (id, online, heartbeat_ms, first_seen_at, last_seen_at) values ('silent-1', 1, 60000, ?, ?)",
      args: [longAgo, longAgo],
    });
    let marked: string[] = [];
    const onLoop = await statementsOnLoop(async () => (marked = await cloud.liveness.sweep()));
    expect(marked).toEqual(["silent-1"]);
    const { rows } = await cloud.database.client.execute("select online, offline_reason from nodes where id = 'silent-1'");
    expect([Number(rows[0].online), rows[0].offline_reason]).toEqual([0, "missed-heartbeats"]);
    expect(onLoop.filter((statement) => /update\s+"?nodes"?/i.test(statement))).toEqual([]);
  });

  it("stops with the cloud, and the cloud started again takes on its session what came meanwhile", async () => {
    await cloud.close();
    for (let i = 0; i < 5; i++) await send({ type: "telemetry", readings: { smokeRaw: 400 + i } });
    cloud = await start();
    await waitFor(async () => Number((await cloud.database.client.execute("select count(*) as n from telemetry where node_id = 'bulk-1'")).rows[0].n) === 25, "the readings sent while it was away");
  });

  it("starts a thread that stopped on its own again, logs it, and keeps what it had counted", async () => {
    const crashes = memoryLogger();
    const thread = await startBulkThread(
      { databaseUrl, mqtt: { url: broker.url, clientId: "unused", protocolVersion: 5 }, urgency: new Urgency().shared, writeLock: new WriteLock().shared, holdMs: 500, telemetry: { settings: RETENTION_DEFAULTS, everyMs: 0, yieldMs: 0 }, liveness: { everyMs: 0 }, nicer: 0, raised: false },
      new AlarmFeed(),
      crashes,
      { script: new URL("../support/crashing-bulk-worker.ts", import.meta.url).href },
    );
    try {
      await waitFor(() => thread.restarts >= 2, "two restarts");
      expect(crashes.lines.filter((line) => line.includes("the bulk ingest thread stopped; starting it again")).length).toBeGreaterThanOrEqual(2);
      await waitFor(() => (thread.stats?.received ?? 0) >= 3, "the counts of three threads");
      expect(thread.acknowledged).toBeGreaterThanOrEqual(2);
    } finally {
      await thread.close();
    }
    // Closed: no more restarts.
    const after = thread.restarts;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(thread.restarts).toBe(after);
  });
});
