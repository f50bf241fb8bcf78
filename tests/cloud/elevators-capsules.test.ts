import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nodes } from "../../cloud/db/schema";
import { createPlace } from "../../cloud/places/queries";
import { encodeMessage } from "../../shared/codec";
import type { AckMessage, NodeMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";
import { testCloud, type TestCloud } from "../support/cloud";
import { capsuleEvent, elevatorEvent, elevatorState } from "../support/device-messages";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("elevators and capsules in the cloud", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await testCloud();
  });
  afterEach(() => cloud.database.close());

  const send = (message: NodeMessage) => cloud.ingest.handle(nodeTopic(message.node, message.type), bytes(encodeMessage(message)));
  const json = async <T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
    const response = await cloud.app.request(path, { ...init, headers: { authorization: `Bearer ${cloud.token}`, "content-type": "application/json", ...init?.headers } });
    return { status: response.status, body: (response.status === 204 ? null : await response.json()) as T };
  };

  it("keeps each elevator's current state from its newest event, and its history", async () => {
    expect(await send(elevatorEvent("lift-001", 1, "started"))).toBe("stored");
    expect(await send(elevatorEvent("lift-001", 2, "hold-start", { state: { ...elevatorState, lock: "held", ebike: true } }))).toBe("stored");
    const end = elevatorEvent("lift-001", 3, "hold-end", { releasedBy: "max-hold", durationMs: 180_000 });
    expect(await send(end)).toBe("stored");
    expect(await send(end), "the same event again").toBe("duplicate");
    // An older event arriving late does not roll the state back.
    expect(await send(elevatorEvent("lift-001", 2, "hold-start", { boot: 0, state: { ...elevatorState, lock: "held" } }))).toBe("stored");
    expect(await send(elevatorEvent("lift-001", 4, "daily-counts", { data: { blockedAttempts: 12, "released.clear": 11, "released.maxHold": 1 } }))).toBe("stored");

    const { body } = await json<{ elevators: Array<Record<string, unknown>> }>("/api/elevators");
    expect(body.elevators).toEqual([
      expect.objectContaining({
        nodeId: "lift-001",
        lock: "released",
        enabled: true,
        detector: "ok",
        lastEvent: "daily-counts",
        lastReleasedBy: "max-hold",
        lastHoldMs: 180_000,
        lastCounts: { blockedAttempts: 12, "released.clear": 11, "released.maxHold": 1 },
        online: true,
      }),
    ]);

    const history = await json<{ events: Array<{ name: string; releasedBy: string | null; state: Record<string, unknown> }> }>("/api/elevators/lift-001/events?limit=10");
    expect(history.body.events.map((e) => e.name)).toEqual(["daily-counts", "hold-start", "hold-end", "hold-start", "started"]);
    expect(history.body.events[2]).toMatchObject({ releasedBy: "max-hold", state: { lock: "released" } });
    const page = await json<{ events: Array<{ id: number }> }>(`/api/elevators/lift-001/events?limit=2`);
    const next = await json<{ events: Array<{ id: number }> }>(`/api/elevators/lift-001/events?limit=2&before=${page.body.events[1].id}`);
    expect(next.body.events).toHaveLength(2);
    expect(next.body.events[0].id).toBeLessThan(page.body.events[1].id);

    expect((await json("/api/elevators/lift-404")).status).toBe(404);
    expect((await json("/api/elevators/lift-404/events")).status).toBe(404);
    expect((await json("/api/elevators/lift-001/events?limit=0")).status).toBe(400);
    expect((await json("/api/elevators/NOT_AN_ID")).status).toBe(400);
  });

  it("filters elevators and capsules by place, down the hierarchy", async () => {
    const db = cloud.database.db;
    await createPlace(db, { id: "st-1", parentId: null, level: "street", name: "Xinhua Street" }, 0);
    await createPlace(db, { id: "cm-1", parentId: "st-1", level: "community", name: "Heping" }, 0);
    await createPlace(db, { id: "cm-2", parentId: "st-1", level: "community", name: "Anle" }, 0);
    await createPlace(db, { id: "cp-1", parentId: "cm-1", level: "compound", name: "No. 3" }, 0);
    await createPlace(db, { id: "bd-1", parentId: "cp-1", level: "building", name: "Building 1" }, 0);
    await createPlace(db, { id: "el-a", parentId: "bd-1", level: "elevator", name: "Elevator A" }, 0);
    await createPlace(db, { id: "cp-9", parentId: "cm-2", level: "compound", name: "No. 9" }, 0);
    await createPlace(db, { id: "cap-x", parentId: "cp-9", level: "capsule", name: "Gate capsule" }, 0);

    await send(elevatorEvent("lift-a", 1, "started"));
    await send(elevatorEvent("lift-b", 1, "started"));
    await send(capsuleEvent("capsule-1", 1, "started"));
    await db.update(nodes).set({ placeId: "el-a" }).where(eq(nodes.id, "lift-a"));
    await db.update(nodes).set({ placeId: "cap-x" }).where(eq(nodes.id, "capsule-1"));

    const ids = (list: Array<{ nodeId: string }>) => list.map((e) => e.nodeId);
    expect(ids((await json<{ elevators: Array<{ nodeId: string }> }>("/api/elevators")).body.elevators)).toEqual(["lift-a", "lift-b"]);
    const inHeping = await json<{ elevators: Array<{ nodeId: string; placeName: string }> }>("/api/elevators?place=cm-1");
    expect(inHeping.body.elevators).toEqual([expect.objectContaining({ nodeId: "lift-a", placeId: "el-a", placeName: "Elevator A" })]);
    expect(ids((await json<{ elevators: Array<{ nodeId: string }> }>("/api/elevators?place=cm-2")).body.elevators)).toEqual([]);
    expect(ids((await json<{ capsules: Array<{ nodeId: string }> }>("/api/capsules?place=st-1")).body.capsules)).toEqual(["capsule-1"]);
    expect(ids((await json<{ capsules: Array<{ nodeId: string }> }>("/api/capsules?place=cm-1")).body.capsules)).toEqual([]);
    expect(await json("/api/capsules?place=nowhere")).toMatchObject({ status: 404, body: { error: "not-found" } });
    expect(await json("/api/elevators?place=Bad%20Id")).toMatchObject({ status: 400 });
  });

  it("shows a capsule's doors, AED and cabinet, and stores command acks", async () => {
    await send(capsuleEvent("capsule-1", 1, "started"));
    await send(capsuleEvent("capsule-1", 2, "capsule-opened", { capsuleDoor: "open" }));
    await send(capsuleEvent("capsule-1", 3, "aed-removed", { capsuleDoor: "open", aedCabinetDoor: "open", aed: "removed", temperatureC: null }));
    const { body } = await json<{ capsule: Record<string, unknown> }>("/api/capsules/capsule-1");
    expect(body.capsule).toMatchObject({ capsuleDoor: "open", aedCabinetDoor: "open", aed: "removed", temperatureC: null, supplyV: 13.1, lastEvent: "aed-removed" });
    const history = await json<{ events: Array<{ name: string }> }>("/api/capsules/capsule-1/events");
    expect(history.body.events.map((e) => e.name)).toEqual(["aed-removed", "capsule-opened", "started"]);

    // A display command through issue 5's commands API, settled by the capsule's ack.
    const sent = await json<{ command: { id: string; status: string } }>("/api/nodes/capsule-1/commands", { method: "POST", body: JSON.stringify({ op: "display", text: "AED inside" }) });
    expect(sent).toMatchObject({ status: 202, body: { command: { status: "sent" } } });
    expect((await json("/api/nodes/capsule-1/commands", { method: "POST", body: JSON.stringify({ op: "display", text: 'say "hi"' }) })).status, "a display line the node would refuse").toBe(400);
    const ack: AckMessage = { v: 1, node: "capsule-1", boot: 1, seq: 4, t: 4000, type: "ack", command: sent.body.command.id, op: "display", result: "ok", detail: 'display shows "AED inside"' };
    expect(await send(ack)).toBe("stored");
    expect(await send(ack)).toBe("duplicate");
    const settled = await json<{ command: Record<string, unknown> }>(`/api/nodes/capsule-1/commands/${sent.body.command.id}`);
    expect(settled.body.command).toMatchObject({ op: "display", status: "ok", detail: 'display shows "AED inside"', args: { text: "AED inside" } });
  });

  it("keeps the state from events sent in one batch, and keeps the link's own events out of it", async () => {
    // Several events of one node in one transaction: the newest by (boot, seq) wins, whatever the order.
    const results = await Promise.all([
      send(elevatorEvent("lift-007", 3, "hold-end", { releasedBy: "clear", durationMs: 4200 })),
      send(elevatorEvent("lift-007", 2, "hold-start", { state: { ...elevatorState, lock: "held", ebike: true } })),
      send({ v: 1, node: "lift-007", boot: 1, seq: 4, t: 4000, type: "event", name: "config-applied", data: { healthIntervalMs: 30_000 } }),
      send(capsuleEvent("capsule-7", 1, "started")),
      send(capsuleEvent("capsule-7", 2, "aed-removed", { aed: "removed" })),
    ]);
    expect(results).toEqual(["stored", "stored", "stored", "stored", "stored"]);
    expect(cloud.ingest.stats.batches, "one transaction").toBe(1);
    const { body } = await json<{ elevator: Record<string, unknown> }>("/api/elevators/lift-007");
    expect(body.elevator).toMatchObject({ lock: "released", lastEvent: "hold-end", lastReleasedBy: "clear", lastHoldMs: 4200 });
    expect((await json<{ capsule: Record<string, unknown> }>("/api/capsules/capsule-7")).body.capsule).toMatchObject({ aed: "removed", lastEvent: "aed-removed" });
    const history = await json<{ events: Array<{ name: string; state: unknown }> }>("/api/elevators/lift-007/events");
    expect(history.body.events.map((e) => [e.name, e.state === null])).toEqual([
      ["config-applied", true],
      ["hold-start", false],
      ["hold-end", false],
    ]);
  });

  it("keeps a capsule's supplies, refuses bad ones with reasons, and lists what expires within N days", async () => {
    cloud.clock.now = Date.UTC(2026, 10, 25, 8, 0, 0); // 2026-11-25
    await send(capsuleEvent("capsule-1", 1, "started"));
    await send(capsuleEvent("capsule-2", 1, "started"));
    const add = (capsule: string, supply: Record<string, unknown>) => json<{ supply: { id: number } }>(`/api/capsules/${capsule}/supplies`, { method: "POST", body: JSON.stringify(supply) });

    const pads = await add("capsule-1", { item: "AED electrode pads (adult)", category: "first-aid", quantity: 2, expiresOn: "2026-12-10" });
    expect(pads.status).toBe(201);
    await add("capsule-1", { item: "AED battery", category: "first-aid", quantity: 1, expiresOn: "2028-03-01" });
    await add("capsule-1", { item: "Fire extinguisher 4 kg ABC", category: "fire", quantity: 2, expiresOn: "2026-11-20", note: "pressure gauge checked monthly" });
    await add("capsule-1", { item: "Rescue rope 30 m", category: "rescue", quantity: 1, expiresOn: null });
    await add("capsule-2", { item: "Emergency whistle", category: "warning", quantity: 10 });
    await add("capsule-2", { item: "Smoke escape hood", category: "protection", quantity: 4, expiresOn: "2026-12-25" });

    const bad = await json<{ error: string; problems: string[] }>("/api/capsules/capsule-1/supplies", {
      method: "POST",
      body: JSON.stringify({ item: "", category: "snacks", quantity: -1, expiresOn: "2026-02-30", colour: "red" }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([
      "colour is not a supply field (item, category, quantity, expiresOn, note)",
      "item must be a name of 1–80 characters",
      "category must be one of fire, rescue, warning, first-aid, protection",
      "quantity must be a whole number from 0 to 10000",
      "expiresOn must be a date as YYYY-MM-DD, or null",
    ]);
    expect((await json("/api/capsules/capsule-1/supplies", { method: "POST", body: "{not json" })).status).toBe(400);
    expect((await json("/api/capsules/capsule-9/supplies", { method: "POST", body: JSON.stringify({ item: "x", category: "fire", quantity: 1 }) })).status).toBe(404);

    const within30 = await json<{ supplies: Array<{ item: string; capsuleId: string; daysLeft: number }> }>("/api/supplies/expiring?days=30");
    expect(within30.body.supplies.map((s) => [s.capsuleId, s.item, s.daysLeft])).toEqual([
      ["capsule-1", "Fire extinguisher 4 kg ABC", -5],
      ["capsule-1", "AED electrode pads (adult)", 15],
      ["capsule-2", "Smoke escape hood", 30],
    ]);
    expect((await json<{ supplies: unknown[] }>("/api/supplies/expiring?days=0")).body.supplies).toHaveLength(1);
    expect((await json("/api/supplies/expiring?days=-1")).status).toBe(400);

    // New pads fitted: the item is updated, and drops off the list.
    const patched = await json<{ supply: { expiresOn: string; quantity: number } }>(`/api/capsules/capsule-1/supplies/${pads.body.supply.id}`, {
      method: "PATCH",
      body: JSON.stringify({ expiresOn: "2029-06-30" }),
    });
    expect(patched).toMatchObject({ status: 200, body: { supply: { expiresOn: "2029-06-30", quantity: 2 } } });
    expect((await json(`/api/capsules/capsule-2/supplies/${pads.body.supply.id}`, { method: "PATCH", body: JSON.stringify({ quantity: 1 }) })).status, "another capsule's item").toBe(404);
    expect((await json(`/api/capsules/capsule-1/supplies/${pads.body.supply.id}`, { method: "PATCH", body: JSON.stringify({}) })).status).toBe(400);
    const after = await json<{ supplies: Array<{ item: string }> }>("/api/supplies/expiring?days=30");
    expect(after.body.supplies.map((s) => s.item)).toEqual(["Fire extinguisher 4 kg ABC", "Smoke escape hood"]);

    const list = await json<{ supplies: Array<{ item: string; category: string }> }>("/api/capsules/capsule-1/supplies");
    expect(list.body.supplies.map((s) => s.category)).toEqual(["fire", "first-aid", "first-aid", "rescue"]);
    const rope = list.body.supplies.find((s) => s.item.startsWith("Rescue rope")) as unknown as { id: number };
    expect((await json(`/api/capsules/capsule-1/supplies/${rope.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await json(`/api/capsules/capsule-1/supplies/${rope.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await json<{ supplies: unknown[] }>("/api/capsules/capsule-1/supplies")).body.supplies).toHaveLength(3);
  });

  it("counts a malformed event as rejected and stores nothing", async () => {
    const text = JSON.stringify({ ...elevatorEvent("lift-001", 1, "hold-end"), releasedBy: undefined });
    expect(await cloud.ingest.handle(nodeTopic("lift-001", "event"), bytes(text))).toBe("rejected");
    expect(cloud.ingest.stats.rejected["invalid-field"]).toBe(1);
    expect((await json<{ elevators: unknown[] }>("/api/elevators")).body.elevators).toEqual([]);
  });
});
