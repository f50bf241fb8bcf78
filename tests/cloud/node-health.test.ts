import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLivenessMonitor } from "../../cloud/nodes/liveness";
import { createPlace } from "../../cloud/places/queries";
import { nodes } from "../../cloud/db/schema";
import { encodeMessage } from "../../shared/codec";
import type { AlarmMessage, HealthMessage, NodeMessage, StatusMessage } from "../../shared/messages";
import { BOOT_ERA_SPAN } from "../../shared/boot-era";
import { nodeTopic } from "../../shared/topics";
import { eq } from "drizzle-orm";
import { storeBatch } from "../../cloud/ingest/store-batch";
import { testCloud, type TestCloud } from "../support/cloud";
import { ack, event, health } from "../support/link-messages";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("node health in the cloud", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await testCloud();
  });
  afterEach(() => cloud.database.close());

  const send = (message: NodeMessage) => cloud.ingest.handle(nodeTopic(message.node, message.type === "telemetry" ? "telemetry" : message.type), bytes(encodeMessage(message)));
  const status = (node: string, boot: number, seq: number, online: boolean, willSeq?: number, firmware = "0.2.0"): StatusMessage => ({
    v: 1, node, boot, seq, t: seq * 10, type: "status", online, firmware, ...(willSeq === undefined ? {} : { willSeq }),
  });
  const beat = (node: string, seq: number, changes: Partial<HealthMessage> = {}): HealthMessage => ({ ...health, node, seq, ...changes });
  const node = async (id: string) => ((await (await cloud.get(`/api/nodes/${id}`)).json()) as { node: Record<string, any> }).node;

  it("keeps online and offline right when a previous connection's will arrives late", async () => {
    // Connection 1: will seq 1, online seq 2. It dies; connection 2 (will 5, online 6) comes up,
    // but two instances process the old will after the new online.
    expect(await send(status("smoke-010", 1, 2, true, 1))).toBe("stored");
    expect(await send(status("smoke-010", 1, 6, true, 5))).toBe("stored");
    await send(status("smoke-010", 1, 1, false));
    expect(await node("smoke-010")).toMatchObject({ online: true, offlineReason: null });
    // This connection's own will does mark it offline, and a late "online" of the same connection does not revive it.
    await send(status("smoke-010", 1, 5, false));
    await send(status("smoke-010", 1, 6, true, 5));
    expect(await node("smoke-010")).toMatchObject({ online: false, offlineReason: "will" });
    // Heartbeats from the dead connection, processed late, do not revive it either; a new connection does.
    await send(beat("smoke-010", 7, { boot: 1 }));
    expect((await node("smoke-010")).online).toBe(false);
    await send(status("smoke-010", 2, 2, true, 1));
    expect(await node("smoke-010")).toMatchObject({ online: true, bootId: 2 });
  });

  it("applies a batch holding several nodes' statuses and heartbeats, some twice, as one by one", async () => {
    const era = 2 * BOOT_ERA_SPAN;
    // One transaction: a will arriving late after the new connection's online, a node of another era, a node's own will, heartbeats out of order.
    await storeBatch(cloud.database.db, [
      status("smoke-020", 1, 2, true, 1),
      status("smoke-021", era + 4, 2, true, 1),
      status("smoke-020", 1, 6, true, 5),
      status("smoke-022", 1, 2, true, 1),
      beat("smoke-021", 9, { boot: era + 4, outbox: { ...health.outbox, depth: 7 } }),
      status("smoke-020", 1, 1, false),
      status("smoke-022", 1, 1, false),
      status("smoke-021", 5 * BOOT_ERA_SPAN + 9, 3, false),
      beat("smoke-021", 8, { boot: era + 4, outbox: { ...health.outbox, depth: 2 } }),
      status("smoke-022", 1, 1, false),
    ], cloud.clock.now);
    expect(await node("smoke-020")).toMatchObject({ online: true, offlineReason: null });
    // Another era's will (the node's life before its flash was erased) changes nothing.
    expect(await node("smoke-021")).toMatchObject({ online: true });
    const [row] = await cloud.database.db.select().from(nodes).where(eq(nodes.id, "smoke-021"));
    expect(row).toMatchObject({ healthSeq: 9, outboxDepth: 7, statusBoot: era + 4 });
    // Its own connection's will, twice: offline.
    expect(await node("smoke-022")).toMatchObject({ online: false, offlineReason: "will" });
    // A new connection, then the old connection's will again, late: online.
    await storeBatch(cloud.database.db, [status("smoke-022", 1, 8, true, 7), status("smoke-022", 1, 1, false)], cloud.clock.now);
    expect(await node("smoke-022")).toMatchObject({ online: true, offlineReason: null });
  });

  it("takes a node whose flash was erased (a new boot era) as reset: its new alarms are stored and its status counts", async () => {
    const oldBoot = 3 * BOOT_ERA_SPAN + 40;
    const alarmAt = (boot: number, seq: number): AlarmMessage => ({
      v: 1, node: "smoke-013", boot, seq, t: seq, type: "alarm", kind: "smoke", severity: "alarm", state: "raised", value: 900, unit: "raw", threshold: 700,
    });
    expect(await send(status("smoke-013", oldBoot, 2, true, 1))).toBe("stored");
    expect(await send(alarmAt(oldBoot, 3))).toBe("stored");
    // Erased: the node drew a new era, lower than the old one, and counts from 1 again in it.
    const newBoot = 1 * BOOT_ERA_SPAN + 1;
    expect(await send(alarmAt(newBoot, 3))).toBe("stored");
    expect(await send(status("smoke-013", newBoot, 5, false))).toBe("stored");
    expect(await send(status("smoke-013", newBoot, 6, true, 5))).toBe("stored");
    expect(await node("smoke-013")).toMatchObject({ online: true, bootId: newBoot });
    // The old era's last will, arriving late, changes nothing; the new era's own will does.
    await send(status("smoke-013", oldBoot, 9, false));
    expect((await node("smoke-013")).online).toBe(true);
    await send(status("smoke-013", newBoot, 5, false));
    expect(await node("smoke-013")).toMatchObject({ online: false, offlineReason: "will" });
    // Within an era, a replay is still a copy.
    expect(await send(alarmAt(newBoot, 3))).toBe("duplicate");
  });

  /** Every statement text the cloud's client is given from now on, until stopRecording. */
  let stopRecording = () => {};
  const recordStatements = (): string[] => {
    const client = cloud.database.client;
    const { execute } = client;
    const seen: string[] = [];
    client.execute = ((statement: unknown, ...rest: unknown[]) => {
      seen.push(typeof statement === "string" ? statement : (statement as { sql: string }).sql);
      return (execute as (...args: unknown[]) => Promise<unknown>).call(client, statement, ...rest);
    }) as typeof client.execute;
    stopRecording = () => (client.execute = execute);
    return seen;
  };

  it("marks a node offline after three missed heartbeats, by the injected clock, and back online when heard from", async () => {
    const liveness = startLivenessMonitor({ db: cloud.database.db, now: () => cloud.clock.now, log: cloud.log, everyMs: 0 });
    await send(status("smoke-011", 1, 2, true, 1));
    await send(beat("smoke-011", 3, { boot: 1, intervalMs: 60_000 }));
    await send(status("smoke-012", 1, 2, true, 1));
    await send(beat("smoke-012", 3, { boot: 1, intervalMs: 60_000 }));
    cloud.clock.now += 170_000;
    await send(beat("smoke-012", 4, { boot: 1, intervalMs: 60_000 }));
    // No node is silent yet: the sweep reads, and writes nothing (no write lock held for its scan).
    const statements = recordStatements();
    expect(await liveness.sweep()).toEqual([]);
    expect(statements.splice(0).map((text) => text.trim().split(/\s/)[0].toLowerCase())).toEqual(["select"]);
    cloud.clock.now += 20_000; // 190 s since smoke-011 was last heard: more than 3 × 60 s
    expect(await liveness.sweep()).toEqual(["smoke-011"]);
    expect(statements.map((text) => text.trim().split(/\s/)[0].toLowerCase())).toEqual(["select", "update"]);
    stopRecording();
    expect(await node("smoke-011")).toMatchObject({ online: false, offlineReason: "missed-heartbeats" });
    expect(await node("smoke-012")).toMatchObject({ online: true });
    await send(beat("smoke-011", 9, { boot: 1 }));
    expect(await node("smoke-011")).toMatchObject({ online: true, offlineReason: null });
    expect(cloud.log.lines.some((line) => line.includes("missed their heartbeats"))).toBe(true);
  });

  it("keeps the newest heartbeat on the node and every heartbeat, once, in its history", async () => {
    await send(beat("smoke-013", 10, { heap: { freeBytes: 100_000, minFreeBytes: 90_000 }, rssiDbm: -70 }));
    cloud.clock.now += 60_000;
    await send(beat("smoke-013", 12, { heap: { freeBytes: 99_000, minFreeBytes: 88_000 }, sensors: { smoke: "fault" }, lastError: "chamber reads 0" }));
    cloud.clock.now += 60_000;
    expect(await send(beat("smoke-013", 11))).toBe("stored"); // late, older than 12
    expect(await send(beat("smoke-013", 12))).toBe("duplicate");
    const current = await node("smoke-013");
    expect(current).toMatchObject({ kind: "smoke", sensorFault: true, heartbeatMs: 60_000, health: { sensors: { smoke: "fault" }, lastError: "chamber reads 0", heap: { minFreeBytes: 88_000 } } });
    const history = (await (await cloud.get("/api/nodes/smoke-013/health")).json()) as { health: Array<Record<string, any>> };
    expect(history.health.map((h) => h.seq)).toEqual([11, 12, 10]);
    expect(history.health[1]).toMatchObject({ freeHeapBytes: 99_000, minFreeHeapBytes: 88_000, sensorFault: true, dropped: { telemetry: 0, event: 0, alarm: 0 }, outboxDepth: 0 });
    const since = new Date(cloud.clock.now - 90_000).toISOString();
    const windowed = (await (await cloud.get(`/api/nodes/smoke-013/health?since=${since}&limit=1`)).json()) as { health: Array<{ seq: number }> };
    expect(windowed.health.map((h) => h.seq)).toEqual([11]);
    expect((await cloud.get("/api/nodes/smoke-013/health?since=yesterday")).status).toBe(400);
  });

  it("stores a replayed state event once, by (node, boot, seq)", async () => {
    expect(await send(event)).toBe("stored");
    expect(await send(event)).toBe("duplicate");
    expect(await send({ ...event, boot: 3 })).toBe("stored");
    const { events } = (await (await cloud.get(`/api/nodes/${event.node}/events`)).json()) as { events: Array<Record<string, unknown>> };
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ name: "config-applied", data: { telemetryIntervalMs: 30_000, "smoke.holdSamples": 4 } });
  });

  it("lists nodes for maintenance crews by place subtree, kind, status, firmware and sensor fault", async () => {
    const db = cloud.database.db;
    await createPlace(db, { id: "st-1", parentId: null, level: "street", name: "Xinhua Street" }, 0);
    await createPlace(db, { id: "cm-1", parentId: "st-1", level: "community", name: "Heping" }, 0);
    await createPlace(db, { id: "cm-2", parentId: "st-1", level: "community", name: "Anle" }, 0);
    await createPlace(db, { id: "cp-1", parentId: "cm-1", level: "compound", name: "No. 3" }, 0);
    await createPlace(db, { id: "bd-1", parentId: "cp-1", level: "building", name: "Building 1" }, 0);
    const fleet: Array<[string, string, string, boolean, boolean, string | null]> = [
      // id, kind, firmware, online, sensor fault, place
      ["smoke-101", "smoke", "0.2.0", true, false, "bd-1"],
      ["smoke-102", "smoke", "0.1.0", false, false, "bd-1"],
      ["smoke-103", "smoke", "0.2.0", true, true, "cp-1"],
      ["elev-101", "elevator", "0.2.0", true, false, "cm-2"],
      ["smoke-104", "smoke", "0.2.0", true, false, null],
    ];
    for (const [id, kind, firmware, online, fault, place] of fleet) {
      await send(status(id, 1, 2, true, 1, firmware));
      await send(beat(id, 3, { boot: 1, kind, firmware, sensors: { main: fault ? "fault" : "ok" } }));
      if (!online) await send(status(id, 1, 1, false, undefined, firmware));
      if (place) await db.update(nodes).set({ placeId: place }).where(eq(nodes.id, id));
    }
    const ids = async (query: string) => {
      const response = await cloud.get(`/api/nodes${query}`);
      expect(response.status, query).toBe(200);
      return ((await response.json()) as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
    };
    expect(await ids("?place=cm-1")).toEqual(["smoke-102", "smoke-103", "smoke-101"]);
    expect(await ids("?place=st-1&kind=elevator")).toEqual(["elev-101"]);
    expect(await ids("?status=offline")).toEqual(["smoke-102"]);
    expect(await ids("?firmware=0.1.0")).toEqual(["smoke-102"]);
    expect(await ids("?fault=true")).toEqual(["smoke-103"]);
    expect(await ids("?kind=smoke&status=online&fault=false")).toEqual(["smoke-101", "smoke-104"]);
    const listed = ((await (await cloud.get("/api/nodes?place=bd-1")).json()) as { nodes: Array<Record<string, any>> }).nodes;
    expect(listed[1]).toMatchObject({ id: "smoke-101", place: { id: "bd-1", path: "st-1/cm-1/cp-1/bd-1/" }, kind: "smoke", online: true });
    expect((await cloud.get("/api/nodes?place=nowhere")).status).toBe(404);
    for (const bad of ["?status=sleepy", "?fault=maybe", "?place=Bad%20Id", "?limit=0"]) expect((await cloud.get(`/api/nodes${bad}`)).status, bad).toBe(400);
  });

  it("sends a command, refuses a bad one before sending, and settles it with the node's ack once", async () => {
    await send(status("smoke-001", 2, 2, true, 1));
    const post = (body: unknown, node = "smoke-001") =>
      cloud.app.request(`/api/nodes/${node}/commands`, {
        method: "POST",
        headers: { authorization: `Bearer ${cloud.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const refused = await post({ op: "relay-test", durationMs: 99_999 });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/durationMs/);
    expect((await post({ op: "reboot" }, "smoke-999")).status).toBe(404);
    expect(cloud.commands.sent).toHaveLength(0);

    const accepted = await post({ op: "config", config: { telemetryIntervalMs: 30_000 }, node: "smoke-002", id: "mine" });
    expect(accepted.status).toBe(202);
    const { command } = (await accepted.json()) as { command: { id: string; status: string } };
    expect(command.status).toBe("sent");
    expect(cloud.commands.sent).toHaveLength(1);
    const sent = JSON.parse(cloud.commands.sent[0].payload);
    expect(cloud.commands.sent[0].topic).toBe("sw/v1/node/smoke-001/cmd");
    // The cloud sets the envelope: a caller cannot address another node or choose the id.
    expect(sent).toMatchObject({ v: 1, type: "command", id: command.id, node: "smoke-001", op: "config", config: { telemetryIntervalMs: 30_000 } });

    // Another node acking this command changes nothing; the addressee's ack settles it, once.
    expect(await send({ ...ack, node: "smoke-002", command: command.id })).toBe("duplicate");
    expect(await send({ ...ack, command: command.id, result: "refused", detail: "no" })).toBe("stored");
    expect(await send({ ...ack, seq: 99, command: command.id, result: "ok" })).toBe("duplicate");
    const settled = (await (await cloud.get(`/api/nodes/smoke-001/commands/${command.id}`)).json()) as { command: Record<string, unknown> };
    expect(settled.command).toMatchObject({ status: "refused", detail: "no", op: "config", args: { config: { telemetryIntervalMs: 30_000 } } });
    expect(settled.command.ackedAt).toBeTruthy();
  });

  it("writes messages that arrive together in one transaction, each resolving after the commit", async () => {
    const many = Array.from({ length: 300 }, (_, i): NodeMessage =>
      i % 3 === 0 ? { ...event, node: `smoke-${200 + (i % 7)}`, seq: i + 1 } : { v: 1, node: `smoke-${200 + (i % 7)}`, boot: 1, seq: i + 1, t: i, type: "telemetry", readings: { smokeRaw: i } },
    );
    // A copy inside the same batch is a duplicate, not a second row.
    const outcomes = await Promise.all([...many, many[5]].map(send));
    expect(outcomes.filter((o) => o === "stored")).toHaveLength(300);
    expect(outcomes.at(-1)).toBe("duplicate");
    expect(cloud.ingest.stats.batches).toBeLessThanOrEqual(2);
    expect(cloud.ingest.stats.largestBatch).toBeGreaterThan(100);
    const row = await node("smoke-205");
    expect(row.readings).toEqual({ smokeRaw: 299 });
  });
});
