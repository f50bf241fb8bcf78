import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CampaignSummary } from "../../cloud/ota/campaign-engine";
import { createPlace } from "../../cloud/places/queries";
import type { OtaOffer, OtaReport, OtaState } from "../../shared/ota";
import { BOARD, otaTestCloud, placeNodes, releaseKey, signedSimImage, type ReleaseKey } from "../support/ota";

const MINUTE = 60_000;

describe("OTA campaigns", () => {
  let key: ReleaseKey;
  let cloud: Awaited<ReturnType<typeof otaTestCloud>>;
  let sha256: string;
  const nodeIds = Array.from({ length: 200 }, (_, i) => `node-${String(i + 1).padStart(3, "0")}`);

  beforeEach(async () => {
    key = releaseKey();
    cloud = await otaTestCloud([key.publicKeyHex], { reofferMs: 5 * MINUTE });
    const { image, release } = signedSimImage(key, { version: "0.2.0" });
    expect((await cloud.upload(image, release)).status).toBe(201);
    sha256 = release.sha256;
  });
  afterEach(() => cloud.close());

  const report = (nodeId: string, campaign: string | null, state: OtaState, extra: Partial<OtaReport> = {}) =>
    cloud.engine.onReport(nodeId, { v: 1, node: nodeId, boot: 1, t: Math.floor(cloud.clock.now / 10), campaign, state, version: "0.2.0", running: "0.1.0", board: BOARD, kind: "sensor", ...extra });
  const offeredTo = (campaign: string) => new Set(cloud.sent.filter((s) => s.message.type === "ota-offer" && s.message.campaign === campaign).map((s) => s.nodeId));
  const summary = async (id: string) => (await cloud.engine.summary(id))!;
  const advance = async (ms: number) => {
    cloud.clock.now += ms;
    await cloud.engine.tick();
  };
  const create = async (body: Record<string, unknown>) => {
    const response = await cloud.request("/api/ota/campaigns", { method: "POST", body: JSON.stringify({ image: sha256, ...body }) });
    return { status: response.status, body: (await response.json()) as { campaign: CampaignSummary; error?: string; message?: string } };
  };

  it("goes 1% → 10% → 50% → 100%, each stage only once its nodes are healthy on the new version", async () => {
    for (const id of nodeIds) await cloud.announce(id);
    const { status, body } = await create({ id: "fleet-0-2-0" });
    expect(status).toBe(201);
    expect(body.campaign).toMatchObject({ nodes: 200, stages: [1, 10, 50, 100], stageIndex: 0, status: "running" });
    const expectedPerStage = [2, 20, 100, 200];
    const healthy = new Set<string>();
    for (let stage = 0; stage < 4; stage++) {
      const offered = offeredTo("fleet-0-2-0");
      expect(offered.size, `stage ${stage + 1}`).toBe(expectedPerStage[stage]);
      const fresh = [...offered].filter((id) => !healthy.has(id));
      const last = fresh.pop()!;
      for (const id of fresh) {
        await report(id, "fleet-0-2-0", "healthy", { running: "0.2.0" });
        healthy.add(id);
      }
      await advance(MINUTE);
      // The stage waits while even one of its nodes is still on its way.
      expect((await summary("fleet-0-2-0")).stageIndex, `stage ${stage + 1} waits for its last node`).toBe(stage);
      await report(last, "fleet-0-2-0", "healthy", { running: "0.2.0" });
      healthy.add(last);
      await advance(MINUTE);
    }
    const done = await summary("fleet-0-2-0");
    expect(done.status).toBe("completed");
    expect(done.counts.healthy).toBe(200);
    expect(done.stageLog.map((s) => [s.percent, s.nodes, s.healthy, s.endedAt !== null])).toEqual([
      [1, 2, 2, true],
      [10, 18, 18, true],
      [50, 80, 80, true],
      [100, 100, 100, true],
    ]);
    const page = (await (await cloud.request("/api/ota/campaigns/fleet-0-2-0/nodes?state=healthy")).json()) as { nodes: unknown[] };
    expect(page.nodes).toHaveLength(200);
  });

  it("pauses itself when failures cross the threshold, and an operator can resume and abort", async () => {
    for (const id of nodeIds) await cloud.announce(id);
    await create({ id: "risky", stages: [10, 100], failureThreshold: 0.1 });
    const stage1 = [...offeredTo("risky")];
    expect(stage1).toHaveLength(20);
    // Two of twenty failing is exactly 10%: not above the threshold.
    await report(stage1[0], "risky", "rolled-back", { reason: "0.2.0 was not healthy within 300 s" });
    await report(stage1[1], "risky", "failed", { reason: "SHA-256 of the image in flash is …" });
    await advance(MINUTE);
    expect((await summary("risky")).status).toBe("running");
    await report(stage1[2], "risky", "rolled-back");
    await advance(MINUTE);
    const paused = await summary("risky");
    expect(paused.status).toBe("paused");
    expect(paused.statusReason).toMatch(/paused itself: 3 of 20 nodes failed or rolled back \(15% > 10%\) in stage 1 of 2/);
    // While paused, the rest of stage 1 can finish, but nothing new is offered.
    for (const id of stage1.slice(3)) await report(id, "risky", "healthy", { running: "0.2.0" });
    await advance(10 * MINUTE);
    expect(offeredTo("risky").size).toBe(20);

    const resumed = (await (await cloud.request("/api/ota/campaigns/risky/resume", { method: "POST" })).json()) as { campaign: CampaignSummary };
    expect(resumed.campaign.status).toBe("running");
    expect(resumed.campaign.stageIndex).toBe(1);
    expect(offeredTo("risky").size).toBe(200);

    const aborted = (await (await cloud.request("/api/ota/campaigns/risky/abort", { method: "POST" })).json()) as { campaign: CampaignSummary };
    expect(aborted.campaign.status).toBe("aborted");
    expect(aborted.campaign.counts.cancelled).toBe(180);
    const cancels = cloud.sent.filter((s) => s.message.type === "ota-cancel");
    expect(cancels).toHaveLength(180);
    expect((await cloud.request("/api/ota/campaigns/risky/resume", { method: "POST" })).status).toBe(409);
  });

  it("counts a node silent past the window as failed, a busy one as skipped, and offers again to a silent one", async () => {
    for (const id of nodeIds.slice(0, 3)) await cloud.announce(id);
    await create({ id: "windowed", stages: [100], nodeWindowMs: 30 * MINUTE, failureThreshold: 0.5 });
    const [silent, busy, healthy] = nodeIds;
    expect(offeredTo("windowed").size).toBe(3);
    await report(busy, "windowed", "deferred", { reason: "smoke alarm active" });
    await report(healthy, "windowed", "downloading", { progress: 40 });
    await advance(3 * MINUTE);
    await report(healthy, "windowed", "downloading", { progress: 70 });
    await advance(3 * MINUTE);
    // The silent node is offered again (its offer may have been lost while it was offline); the downloading one spoke up recently.
    expect(cloud.sent.filter((s) => s.nodeId === silent && s.message.type === "ota-offer")).toHaveLength(2);
    expect(cloud.sent.filter((s) => s.nodeId === healthy && s.message.type === "ota-offer")).toHaveLength(1);
    // A node that restarted mid-download announces itself: it gets the offer again at the next tick.
    await cloud.announce(healthy, "0.1.0", 2);
    await advance(1000);
    expect(cloud.sent.filter((s) => s.nodeId === healthy && s.message.type === "ota-offer")).toHaveLength(2);
    await cloud.engine.onReport(healthy, { v: 1, node: healthy, boot: 3, t: 1, campaign: "windowed", state: "healthy", version: "0.2.0", running: "0.2.0", board: BOARD, kind: "sensor" });
    await advance(25 * MINUTE);
    const nodes = ((await (await cloud.request("/api/ota/campaigns/windowed/nodes")).json()) as { nodes: Array<{ nodeId: string; state: string; reason: string }> }).nodes;
    const byId = Object.fromEntries(nodes.map((n) => [n.nodeId, n]));
    expect(byId[silent]).toMatchObject({ state: "failed", reason: "not healthy on 0.2.0 within 30 minutes (last state: offered)" });
    expect(byId[busy]).toMatchObject({ state: "skipped" });
    expect(byId[busy].reason).toMatch(/busy throughout the 30-minute window \(smoke alarm active\)/);
    expect(byId[healthy]).toMatchObject({ state: "healthy" });
    expect((await summary("windowed")).status).toBe("completed");
  });

  it("keeps the newest report: an older one, or healthy on another version, changes nothing", async () => {
    await cloud.announce("node-001");
    await create({ id: "ordered", stages: [100] });
    await cloud.engine.onReport("node-001", { v: 1, node: "node-001", boot: 1, t: 500, campaign: "ordered", state: "downloading", version: "0.2.0", running: "0.1.0", board: BOARD, kind: "sensor", progress: 60 });
    await cloud.engine.onReport("node-001", { v: 1, node: "node-001", boot: 1, t: 400, campaign: "ordered", state: "offered", version: "0.2.0", running: "0.1.0", board: BOARD, kind: "sensor" });
    await cloud.engine.onReport("node-001", { v: 1, node: "node-001", boot: 1, t: 600, campaign: "ordered", state: "healthy", version: "0.2.0", running: "0.1.0", board: BOARD, kind: "sensor" });
    const [node] = ((await (await cloud.request("/api/ota/campaigns/ordered/nodes")).json()) as { nodes: Array<{ state: string; progress: number }> }).nodes;
    expect(node).toMatchObject({ state: "downloading", progress: 60 });
  });

  it("targets by place (path prefix), current version, board and kind", async () => {
    for (const id of nodeIds.slice(0, 6)) await cloud.announce(id);
    await cloud.announce("node-newer", "0.3.0");
    await cloud.announce("node-other", "0.1.5");
    const db = cloud.database.db;
    await createPlace(db, { id: "st-1", parentId: null, level: "street", name: "Xinhua" }, 0);
    await createPlace(db, { id: "cm-1", parentId: "st-1", level: "community", name: "Heping" }, 0);
    await createPlace(db, { id: "cp-1", parentId: "cm-1", level: "compound", name: "No. 3" }, 0);
    await createPlace(db, { id: "cm-2", parentId: "st-1", level: "community", name: "Other" }, 0);
    const { eq } = await import("drizzle-orm");
    const { nodes } = await import("../../cloud/db/schema");
    for (const [id, place] of [["node-001", "cm-1"], ["node-002", "cp-1"], ["node-003", "cm-2"], ["node-newer", "cp-1"], ["node-other", "cp-1"]]) {
      await db.update(nodes).set({ placeId: place }).where(eq(nodes.id, id));
    }
    const inCommunity = await create({ id: "heping", placeId: "cm-1", stages: [100] });
    expect(inCommunity.status).toBe(201);
    // node-newer already runs something newer than 0.2.0 and is left out; nodes outside cm-1 too.
    expect([...offeredTo("heping")].sort()).toEqual(["node-001", "node-002", "node-other"]);

    const fromVersion = await create({ id: "from-0-1-0", fromVersion: "0.1.0", stages: [100] });
    // Nodes in a running campaign are not offered a second update.
    expect([...offeredTo("from-0-1-0")].sort()).toEqual(["node-003", "node-004", "node-005", "node-006"]);
    expect(fromVersion.body.campaign.target).toEqual({ board: BOARD, kind: "sensor", fromVersion: "0.1.0" });

    expect((await create({ board: "esp32-s3-devkitc-1" })).status).toBe(422);
    expect((await create({ kind: "capsule" })).status).toBe(422);
    const none = await create({ placeId: "nowhere" });
    expect(none).toMatchObject({ status: 422, body: { error: "campaign-refused" } });
    expect((await create({ stages: [50, 10, 100] })).status).toBe(400);
    expect((await create({ stages: [10, 50] })).status).toBe(400);
    expect((await create({ failureThreshold: 1.5 })).status).toBe(400);
    expect((await create({ image: "0".repeat(64) })).status).toBe(404);
    expect((await create({ id: "heping" })).status).toBe(409);
  });

  it("offers carry the signed release exactly as stored", async () => {
    await cloud.announce("node-001");
    await create({ id: "carries", stages: [100] });
    const offer = cloud.sent.find((s) => s.message.type === "ota-offer")!.message as OtaOffer;
    const image = (await cloud.store.get(sha256))!;
    expect(offer.release).toEqual({ board: image.board, kind: image.kind, version: image.version, sizeBytes: image.sizeBytes, sha256, signature: image.signature, keyId: image.keyId });
    expect(offer.chunkBytes).toBe(2048);
  });

  it("answers the campaign API with reasons", async () => {
    expect((await cloud.request("/api/ota/campaigns/none")).status).toBe(404);
    expect((await cloud.request("/api/ota/campaigns/none/pause", { method: "POST" })).status).toBe(404);
    expect((await cloud.request("/api/ota/campaigns", { method: "POST", body: "{oops" })).status).toBe(400);
    await placeNodes(cloud.database.db, "pl-x", []);
    await cloud.announce("node-001");
    await create({ id: "api-1", stages: [100] });
    expect((await cloud.request("/api/ota/campaigns/api-1/nodes?state=bogus")).status).toBe(400);
    expect((await cloud.request("/api/ota/campaigns/api-1/pause", { method: "POST" })).status).toBe(200);
    expect((await cloud.request("/api/ota/campaigns/api-1/pause", { method: "POST" })).status).toBe(409);
    const list = (await (await cloud.request("/api/ota/campaigns")).json()) as { campaigns: CampaignSummary[] };
    expect(list.campaigns.map((c) => [c.id, c.status])).toEqual([["api-1", "paused"]]);
  });
});
