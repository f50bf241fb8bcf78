import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../cloud/auth/tokens";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import type { SimPartitions } from "../../firmware/platform/sim/host/sim-partitions";
import { OTA_CHUNK_BYTES, type OtaOffer } from "../../shared/ota";
import { otaTopic } from "../../shared/topics";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { drive, factoryPartitions, otaNodeConfig, placeNodes, releaseKey, signedSimImage, uploadImage, type ReleaseKey } from "../support/ota";
import { waitFor } from "../support/wait";

/**
 * OTA on the node, end to end: the firmware in XS with a simulated flash partition and a host
 * bootloader, a real Mosquitto, and the cloud's image store, chunk service and campaign engine.
 */
describe("OTA on a node in XS", { timeout: 60_000 }, () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  let token: string;
  let key: ReleaseKey;
  let observer: MqttClient;
  const chunkRequests: Array<{ node: string; offset: number }> = [];
  const running: SimNode[] = [];
  const log = memoryLogger();
  const good = () => signedSimImage(key, { version: "0.2.0" });

  beforeAll(async () => {
    broker = await startMosquitto();
    key = releaseKey();
    cloud = await startCloud({
      databaseUrl: tempDatabaseUrl(),
      mqtt: { url: broker.url, protocolVersion: 5, shareGroup: "ingest" },
      instanceId: `ota-test-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log,
      ota: { dataDir: mkdtempSync(join(tmpdir(), "sw-ota-")), releaseKeys: [key.publicKeyHex], tickMs: 50, reofferMs: 3000 },
    });
    token = await createToken(cloud.database.db, "ota-test", "admin", Date.now());
    const { image, release } = good();
    expect((await uploadImage(cloud.url, token, image, release)).status).toBe(201);
    observer = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "ota-observer" });
    await observer.subscribeAsync(otaTopic("+", "get"));
    observer.on("message", (topic, payload) => chunkRequests.push({ node: topic.split("/")[3], offset: (JSON.parse(payload.toString()) as { offset: number }).offset }));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((node) => node.stop()));
  });
  afterAll(async () => {
    await observer?.endAsync();
    await cloud?.close();
    await broker?.stop();
  });

  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${cloud.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers } });
    const body = (await response.json()) as T;
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body)}`);
    return body;
  };

  async function bootNodes(prefix: string, count: number, ota: Parameters<typeof otaNodeConfig>[2] = {}): Promise<Array<{ node: SimNode; partitions: SimPartitions }>> {
    const booted = [];
    for (let i = 1; i <= count; i++) {
      const partitions = factoryPartitions();
      const node = await SimNode.boot({
        brokerUrl: broker.url,
        protocolVersion: 5,
        config: otaNodeConfig(`${prefix}-${i}`, key.publicKeyHex, ota),
        partitions,
        seed: i,
        onLog: () => {},
      });
      running.push(node);
      await node.setPins({ smoke: 300 });
      booted.push({ node, partitions });
    }
    const nodes = booted.map((b) => b.node);
    await drive(nodes, async () => (await Promise.all(nodes.map((n) => n.inspect()))).every((i) => i.connected), "they connect");
    // The cloud learns each node's board, kind and version from its first OTA report, and its row from its status.
    await waitFor(async () => {
      const devices = await Promise.all(nodes.map((n) => cloud.database.client.execute({ sql: "select 1 from ota_devices d join nodes n on n.id = d.node_id where d.node_id = ?", args: [n.nodeId] })));
      return devices.every((d) => d.rows.length === 1);
    }, "the cloud to know the nodes");
    await placeNodes(cloud.database.db, `pl-${prefix}`, nodes.map((n) => n.nodeId));
    return booted;
  }

  const campaign = (placeId: string, image: string, extra: Record<string, unknown> = {}) =>
    api<{ campaign: { id: string } }>("/api/ota/campaigns", { method: "POST", body: JSON.stringify({ image, placeId, stages: [100], nodeWindowMs: 60_000, ...extra }) });
  const memberState = async (campaignId: string, nodeId: string) =>
    (await api<{ nodes: Array<{ nodeId: string; state: string; reason: string | null; progress: number }> }>(`/api/ota/campaigns/${campaignId}/nodes`)).nodes.find((n) => n.nodeId === nodeId)!;

  it("happy path: offered, downloaded, verified, switched, rebooted into 0.2.0 and confirmed healthy", async () => {
    const [{ node, partitions }] = await bootNodes("ota-happy", 1);
    expect(node.image?.header.version).toBe("0.1.0");
    const { release } = good();
    const { campaign: created } = await campaign("pl-ota-happy", release.sha256);

    await drive([node], () => node.boots === 2, "the node restarts into the new image");
    expect(node.image).toMatchObject({ slot: 1, event: "trial", header: { version: "0.2.0" } });
    expect(partitions.runningState()).toBe("pending-verify");
    await drive([node], async () => (await memberState(created.id, node.nodeId)).state === "healthy", "the cloud sees it healthy");

    expect(partitions.states[1]).toBe("valid");
    const inspection = await node.inspect();
    expect(inspection.ota).toMatchObject({ running: "0.2.0", bootState: "valid", phase: "idle" });
    const summary = await waitFor(async () => {
      const { campaign: c } = await api<{ campaign: { status: string; counts: Record<string, number> } }>(`/api/ota/campaigns/${created.id}`);
      return c.status === "completed" ? c : null;
    }, "the campaign to complete");
    expect(summary.counts.healthy).toBe(1);
    // Every chunk asked for in order; on a loaded host the virtual clock can outrun the cloud's answer, and the
    // downloader then asks for the same chunk again after its timeout (the designed retry), so repeats are allowed.
    const requested = chunkRequests.filter((r) => r.node === node.nodeId).map((r) => r.offset);
    const distinct = requested.filter((offset, i) => i === 0 || offset !== requested[i - 1]);
    expect(distinct).toEqual(Array.from({ length: (48 * 1024) / OTA_CHUNK_BYTES }, (_, i) => i * OTA_CHUNK_BYTES));
    expect(requested.length - distinct.length).toBeLessThanOrEqual(3);
  });

  it("refuses an image with one flipped byte before switching", async () => {
    const [{ node, partitions }] = await bootNodes("ota-flip", 1);
    const { image, release } = good();
    // The stored image is damaged after upload (disk, copy, tampering): one byte in the middle.
    const file = cloud.ota!.store.path(release.sha256);
    const damaged = new Uint8Array(image);
    damaged[image.length >> 1] ^= 0x01;
    writeFileSync(file, damaged);
    try {
      const { campaign: created } = await campaign("pl-ota-flip", release.sha256);
      await drive([node], async () => (await memberState(created.id, node.nodeId)).state === "failed", "the node reports the failure");
      const member = await memberState(created.id, node.nodeId);
      expect(member.reason).toMatch(/SHA-256 of the image in flash .* not switched/);
      // Never switched, never restarted: slot 0 still boots, slot 1 was never made bootable.
      expect(node.boots).toBe(1);
      expect(partitions.bootSlot).toBe(0);
      expect(partitions.states[1]).toBe("empty");
      expect((await node.inspect()).ota).toMatchObject({ running: "0.1.0", phase: "idle", downloadedBytes: image.length });
    } finally {
      writeFileSync(file, image);
    }
  });

  it("refuses a wrong signature before downloading a byte", async () => {
    const [{ node, partitions }] = await bootNodes("ota-sig", 1);
    const { release } = good();
    // Someone with access to the broker (or a compromised cloud) offers an image signed by another key,
    // claiming the trusted key's id. The cloud itself never stores it; this offer goes straight to the node.
    const forger = releaseKey();
    const forged = signedSimImage(forger, { version: "0.9.0" }).release;
    const offer: OtaOffer = { v: 1, type: "ota-offer", campaign: "forged-1", release: { ...forged, keyId: release.keyId }, chunkBytes: OTA_CHUNK_BYTES };
    const reports: Array<{ state: string; reason?: string }> = [];
    const spy = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "ota-sig-spy" });
    await spy.subscribeAsync(otaTopic(node.nodeId, "state"));
    spy.on("message", (_topic, payload) => reports.push(JSON.parse(payload.toString())));
    try {
      await spy.publishAsync(otaTopic(node.nodeId, "offer"), JSON.stringify(offer), { qos: 1 });
      await drive([node], () => reports.some((r) => r.state === "failed"), "the node refuses the offer");
    } finally {
      await spy.endAsync();
    }
    expect(reports.find((r) => r.state === "failed")?.reason).toMatch(/signature does not verify .* refused before download/);
    expect(chunkRequests.filter((r) => r.node === node.nodeId)).toHaveLength(0);
    expect((await node.inspect()).ota).toMatchObject({ running: "0.1.0", phase: "idle", chunkRequests: 0 });
    expect(partitions.bootSlot).toBe(0);
    expect(node.boots).toBe(1);
  });

  it("resumes a download cut at 50% from where it stopped", async () => {
    // Slow enough that the cut lands mid-download: 8 KiB/s, 48 KiB.
    const [{ node }] = await bootNodes("ota-cut", 1, { maxBytesPerSecond: 8 * 1024 });
    const { image, release } = good();
    const { campaign: created } = await campaign("pl-ota-cut", release.sha256);
    await drive([node], async () => ((await node.inspect()).ota?.downloadedBytes ?? 0) >= image.length / 2, "half the image is written");
    // Wi-Fi drops mid-download and comes back a little later.
    node.setNetwork(false);
    await drive([node], async () => !(await node.inspect()).connected, "the node notices the drop", { stepMs: 50 });
    // Read once the drop is noticed: a chunk already on its way when the Wi-Fi went may still land.
    const cutAt = (await node.inspect()).ota!.downloadedBytes;
    const before = chunkRequests.filter((r) => r.node === node.nodeId).length;
    expect((await node.inspect()).ota).toMatchObject({ phase: "downloading" });
    await node.advance(3000);
    expect((await node.inspect()).ota?.downloadedBytes).toBe(cutAt);
    node.setNetwork(true);
    await drive([node], async () => (await memberState(created.id, node.nodeId)).state === "healthy", "the update completes");

    const after = chunkRequests.filter((r) => r.node === node.nodeId).slice(before);
    expect(after.length).toBeGreaterThan(0);
    // Nothing already written was fetched again: the first request after the drop asks for the first missing byte.
    expect(Math.min(...after.map((r) => r.offset))).toBe(cutAt);
    expect(cutAt).toBeGreaterThanOrEqual(image.length / 2);
    expect(cutAt).toBeLessThan(image.length);
    expect(node.image?.header.version).toBe("0.2.0");
  });

  it("rolls back a new image that never reports healthy, and the campaign pauses itself", async () => {
    const booted = await bootNodes("ota-bad", 4);
    const nodes = booted.map((b) => b.node);
    const broken = signedSimImage(key, { version: "0.3.0", defect: "no-connect" });
    expect((await uploadImage(cloud.url, token, broken.image, broken.release)).status).toBe(201);
    // Stage 1 is one node of four (25%); more than 10% failing pauses the campaign.
    const { campaign: created } = await campaign("pl-ota-bad", broken.release.sha256, { stages: [25, 100], failureThreshold: 0.1 });
    const members = (await api<{ nodes: Array<{ nodeId: string; stage: number }> }>(`/api/ota/campaigns/${created.id}/nodes`)).nodes;
    const first = booted.find((b) => b.node.nodeId === members.find((m) => m.stage === 1)!.nodeId)!;

    await drive(nodes, () => first.node.boots === 2, "the first node boots the new image");
    expect(first.node.image).toMatchObject({ slot: 1, event: "trial", header: { version: "0.3.0" } });
    // It cannot connect; 60 s (virtual) later it gives up and hands back to 0.1.0.
    await drive(nodes, () => first.node.boots === 3, "it rolls back", { stepMs: 2000 });
    expect(first.node.image).toMatchObject({ slot: 0, header: { version: "0.1.0" } });
    expect(first.partitions.states[1]).toBe("aborted");
    await drive(nodes, async () => (await memberState(created.id, first.node.nodeId)).state === "rolled-back", "the old image reports the rollback");
    expect((await memberState(created.id, first.node.nodeId)).reason).toMatch(/0\.3\.0 was not healthy within 60 s \(it never stayed connected to the broker\); rolled back/);

    const summary = await waitFor(async () => {
      const { campaign: c } = await api<{ campaign: { status: string; statusReason: string; counts: Record<string, number> } }>(`/api/ota/campaigns/${created.id}`);
      return c.status === "paused" ? c : null;
    }, "the campaign to pause itself");
    expect(summary.statusReason).toMatch(/paused itself: 1 of 1 nodes failed or rolled back \(100% > 10%\) in stage 1 of 2/);
    expect(summary.counts.pending).toBe(3);
    // The other three were never offered it.
    for (const other of booted.filter((b) => b !== first)) {
      expect(chunkRequests.filter((r) => r.node === other.node.nodeId)).toHaveLength(0);
      expect(other.node.boots).toBe(1);
    }
  });

  it("goes back to the previous image when the new one resets before confirming (bootloader rollback)", async () => {
    const [{ node, partitions }] = await bootNodes("ota-reset", 1, { healthStableMs: 30_000 });
    const next = signedSimImage(key, { version: "0.2.1" });
    expect((await uploadImage(cloud.url, token, next.image, next.release)).status).toBe(201);
    const { campaign: created } = await campaign("pl-ota-reset", next.release.sha256);
    await drive([node], () => node.boots === 2, "the node boots 0.2.1 on trial");
    expect(partitions.runningState()).toBe("pending-verify");
    // A crash or a watchdog reset while on trial: the bootloader finds the image still pending and goes back.
    await node.powerCycle();
    expect(node.image).toMatchObject({ slot: 0, event: "rolled-back", header: { version: "0.1.0" } });
    await drive([node], async () => (await memberState(created.id, node.nodeId)).state === "rolled-back", "the rollback is reported");
    expect((await memberState(created.id, node.nodeId)).reason).toMatch(/restarted before it confirmed its health/);
  });

  it("never updates while a smoke alarm is active", async () => {
    const [{ node }] = await bootNodes("ota-alarm", 1);
    await node.setPins({ smoke: 950 });
    await drive([node], async () => (await node.inspect()).alarmActive, "the alarm is raised");
    const { release } = good();
    const { campaign: created } = await campaign("pl-ota-alarm", release.sha256);
    await drive([node], async () => (await memberState(created.id, node.nodeId)).state === "deferred", "the node defers");
    expect((await memberState(created.id, node.nodeId)).reason).toBe("smoke alarm active");
    // A minute of alarm: not a single chunk asked for, nothing switched.
    for (let i = 0; i < 30; i++) await node.advance(2000);
    expect(chunkRequests.filter((r) => r.node === node.nodeId)).toHaveLength(0);
    expect((await node.inspect()).ota).toMatchObject({ phase: "deferred", running: "0.1.0", downloadedBytes: 0 });
    expect(node.boots).toBe(1);

    await node.setPins({ smoke: 300 });
    await drive([node], async () => (await memberState(created.id, node.nodeId)).state === "healthy", "the update goes ahead after the alarm clears");
    expect(node.image?.header.version).toBe("0.2.0");
  });

  it("stops fetching when an alarm starts mid-download, and carries on after it clears", async () => {
    const [{ node }] = await bootNodes("ota-alarm-mid", 1, { maxBytesPerSecond: 4 * 1024 });
    const { image, release } = good();
    const { campaign: created } = await campaign("pl-ota-alarm-mid", release.sha256);
    await drive([node], async () => ((await node.inspect()).ota?.downloadedBytes ?? 0) >= image.length / 4, "a quarter is written");
    await node.setPins({ smoke: 950 });
    await drive([node], async () => (await memberState(created.id, node.nodeId)).state === "deferred", "the download pauses for the alarm");
    const held = (await node.inspect()).ota!.downloadedBytes;
    const asked = chunkRequests.filter((r) => r.node === node.nodeId).length;
    for (let i = 0; i < 30; i++) await node.advance(2000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(chunkRequests.filter((r) => r.node === node.nodeId).length).toBe(asked);
    expect((await node.inspect()).ota).toMatchObject({ phase: "deferred", downloadedBytes: held });

    await node.setPins({ smoke: 300 });
    await drive([node], async () => (await memberState(created.id, node.nodeId)).state === "healthy", "the update completes after the alarm");
    expect(node.image?.header.version).toBe("0.2.0");
  });
});
