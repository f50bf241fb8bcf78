import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../cloud/auth/tokens";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { dividerCounts, ntcCounts } from "../../firmware/platform/sim/host/analog-physics";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { SimPartitions } from "../../firmware/platform/sim/host/sim-partitions";
import { OTA_DEFAULTS, type OtaConfig } from "../../firmware/ota/ota-config";
import { buildSimImage } from "../../shared/sim-image";
import { otaTopic } from "../../shared/topics";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { BOARD, drive, placeNodes, releaseKey, signedSimImage, uploadImage, type ReleaseKey } from "../support/ota";
import { capsuleNodeConfig, elevatorNodeConfig } from "../support/sim-config";
import { waitFor } from "../support/wait";

/** Contact levels as the capsule is wired: a closed contact pulls its pin low. */
const CLOSED = 0;
const OPEN = 1;
const AED_IN_PLACE = 0;
const AED_GONE = 1;
const HEARTBEAT_HALF_PERIOD_MS = 500;

type DeviceKind = "elevator" | "capsule";

/**
 * OTA on the elevator lock and the capsule, in XS, end to end (real Mosquitto, the cloud's image
 * store and campaign engine): each takes a signed update, but never restarts while it is doing
 * its job — a car held with an e-bike in it, the AED out of its cabinet, one of its alarms
 * standing — and a new image that cannot do that job (its e-bike detector silent) is not kept.
 */
describe("OTA on elevator and capsule nodes in XS", { timeout: 90_000 }, () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  let token: string;
  let key: ReleaseKey;
  let observer: MqttClient;
  const chunkRequests: Array<{ node: string; offset: number }> = [];
  const running: SimNode[] = [];
  const images: Record<DeviceKind, string> = { elevator: "", capsule: "" };
  let serial = 0;

  beforeAll(async () => {
    broker = await startMosquitto();
    key = releaseKey();
    cloud = await startCloud({
      databaseUrl: tempDatabaseUrl(),
      mqtt: { url: broker.url, protocolVersion: 5, shareGroup: "ingest" },
      instanceId: `ota-devices-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log: memoryLogger(),
      ota: { dataDir: mkdtempSync(join(tmpdir(), "sw-ota-devices-")), releaseKeys: [key.publicKeyHex], tickMs: 50, reofferMs: 3000 },
    });
    token = await createToken(cloud.database.db, "ota-devices-test", "admin", Date.now());
    for (const kind of ["elevator", "capsule"] as const) {
      const { image, release } = signedSimImage(key, { version: "0.2.0", kind });
      expect((await uploadImage(cloud.url, token, image, release)).status).toBe(201);
      images[kind] = release.sha256;
    }
    observer = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "ota-devices-observer" });
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
  const memberState = async (campaignId: string, nodeId: string) =>
    (await api<{ nodes: Array<{ nodeId: string; state: string; reason: string | null }> }>(`/api/ota/campaigns/${campaignId}/nodes`)).nodes.find((n) => n.nodeId === nodeId)!;
  const stateOf = async (node: SimNode) => (await node.inspect()).state as Record<string, unknown> | undefined;
  const chunksAskedBy = (nodeId: string) => chunkRequests.filter((r) => r.node === nodeId).length;

  function otaConfig(kind: DeviceKind, overrides: Partial<OtaConfig> = {}): OtaConfig {
    return {
      ...OTA_DEFAULTS,
      board: BOARD,
      kind,
      releaseKeys: [key.publicKeyHex],
      maxBytesPerSecond: 64 * 1024,
      chunkTimeoutMs: 2000,
      healthWindowMs: 60_000,
      healthStableMs: 5000,
      busyRetryMs: 1000,
      ...overrides,
    };
  }

  /** Boots a device of `kind` on its factory image 0.1.0, placed under a root place of its own, and returns it with the campaign for 0.2.0 not yet started. */
  async function boot(kind: DeviceKind, ota: Partial<OtaConfig> = {}) {
    const id = `ota-${kind}-${process.pid % 1000}-${++serial}`;
    const partitions = new SimPartitions(buildSimImage({ version: "0.1.0", board: BOARD, kind }, 16 * 1024), 256 * 1024);
    const node =
      kind === "elevator"
        ? await SimNode.boot({ kind, brokerUrl: broker.url, protocolVersion: 5, config: elevatorNodeConfig(id, { ota: otaConfig(kind, ota) }), partitions, onLog: () => {} })
        : await SimNode.boot({
            kind,
            brokerUrl: broker.url,
            protocolVersion: 5,
            config: capsuleNodeConfig(id, { ota: otaConfig(kind, ota) }),
            partitions,
            levels: { capsuleDoor: CLOSED, aedCabinetDoor: CLOSED, aedPresent: AED_IN_PLACE, cabinetNtc: ntcCounts(23, capsuleNodeConfig(id).ntc), supplyVoltage: dividerCounts(13.2, capsuleNodeConfig(id).supply.ratio) },
            onLog: () => {},
          });
    running.push(node);
    if (kind === "elevator") {
      // The e-bike detector alive and seeing an empty car; the maintenance key off.
      await node.setPins({ ebikeDetect: 0, maintenanceKey: 0 });
      await node.setPulses({ detectorAlive: HEARTBEAT_HALF_PERIOD_MS });
    }
    await drive([node], async () => (await node.inspect()).connected, "it connects");
    // The lock arms once the car has looked clear for its clear time (3 s).
    if (kind === "elevator") await node.advance(4000);
    await waitFor(async () => {
      const known = await cloud.database.client.execute({ sql: "select 1 from ota_devices d join nodes n on n.id = d.node_id where d.node_id = ?", args: [id] });
      return known.rows.length === 1;
    }, "the cloud to know the node");
    await placeNodes(cloud.database.db, `pl-${id}`, [id]);
    const startCampaign = async () =>
      (await api<{ campaign: { id: string } }>("/api/ota/campaigns", { method: "POST", body: JSON.stringify({ image: images[kind], placeId: `pl-${id}`, stages: [100], nodeWindowMs: 120_000 }) })).campaign.id;
    return { id, node, partitions, startCampaign };
  }

  it("an elevator lock takes a signed update when its car is clear, and keeps it once it has seen its detector", async () => {
    const { id, node, partitions, startCampaign } = await boot("elevator");
    expect(node.image?.header).toMatchObject({ version: "0.1.0", kind: "elevator" });
    const campaign = await startCampaign();
    await drive([node], () => node.boots === 2, "it restarts into the new image");
    expect(node.image).toMatchObject({ slot: 1, event: "trial", header: { version: "0.2.0" } });
    await drive([node], async () => (await memberState(campaign, id)).state === "healthy", "the cloud sees it healthy");
    expect(partitions.states[1]).toBe("valid");
    expect((await node.inspect()).ota).toMatchObject({ running: "0.2.0", bootState: "valid" });
  });

  it("an elevator lock never restarts while it holds a car with an e-bike in it, nor while its max-hold alarm stands", async () => {
    const { id, node, startCampaign } = await boot("elevator");
    await node.setPins({ ebikeDetect: 1 });
    await drive([node], async () => (await stateOf(node))?.lock === "held", "the car is held");
    const campaign = await startCampaign();
    await drive([node], async () => (await memberState(campaign, id)).state === "deferred", "the node defers");
    expect((await memberState(campaign, id)).reason).toBe("lock holding a car");
    // A minute of the hold: not one chunk asked for, no restart.
    for (let i = 0; i < 30; i++) await node.advance(2000);
    expect(chunksAskedBy(id)).toBe(0);
    expect(node.boots).toBe(1);
    expect((await node.inspect()).state).toMatchObject({ lock: "held" });

    // The hold reaches its limit (180 s) and lets go with a maintenance alarm; still no update while it stands.
    await drive([node], async () => (await memberState(campaign, id)).reason === "max-hold alarm active", "the max-hold alarm defers it", { stepMs: 2000 });
    expect((await node.inspect()).state).toMatchObject({ lock: "released" });
    expect(node.boots).toBe(1);
    expect(chunksAskedBy(id)).toBe(0);

    // The e-bike leaves, the alarm clears: now it updates.
    await node.setPins({ ebikeDetect: 0 });
    await drive([node], async () => (await memberState(campaign, id)).state === "healthy", "the update goes ahead once the car is clear", { timeoutMs: 45_000 });
    expect(node.image?.header.version).toBe("0.2.0");
    expect(node.boots).toBe(2);
  });

  it("an elevator lock rolls back a new image that cannot see its e-bike detector", async () => {
    const { id, node, partitions, startCampaign } = await boot("elevator");
    const campaign = await startCampaign();
    await drive([node], () => node.boots === 2, "it boots 0.2.0 on trial");
    // The detector's heartbeat stops as the new image comes up: it would let e-bikes ride.
    await node.setPulses({ detectorAlive: null });
    await node.setPins({ detectorAlive: 0 });
    await drive([node], () => node.boots === 3, "it gives up on the new image", { stepMs: 2000 });
    expect(node.image).toMatchObject({ slot: 0, header: { version: "0.1.0" } });
    expect(partitions.states[1]).toBe("aborted");
    await drive([node], async () => (await memberState(campaign, id)).state === "rolled-back", "the old image reports the rollback");
    expect((await memberState(campaign, id)).reason).toMatch(/0\.2\.0 was not healthy within 60 s/);
  });

  it("a capsule never restarts while its AED is out, and updates once it is back", async () => {
    const { id, node, startCampaign } = await boot("capsule");
    await node.setPins({ capsuleDoor: OPEN, aedCabinetDoor: OPEN, aedPresent: AED_GONE });
    await drive([node], async () => (await stateOf(node))?.aed === "removed", "the AED is out");
    const campaign = await startCampaign();
    await drive([node], async () => (await memberState(campaign, id)).state === "deferred", "the node defers");
    expect((await memberState(campaign, id)).reason).toBe("AED removed");
    for (let i = 0; i < 30; i++) await node.advance(2000);
    expect(chunksAskedBy(id)).toBe(0);
    expect(node.boots).toBe(1);

    await node.setPins({ capsuleDoor: CLOSED, aedCabinetDoor: CLOSED, aedPresent: AED_IN_PLACE });
    await drive([node], async () => (await memberState(campaign, id)).state === "healthy", "the update goes ahead once the AED is back");
    expect(node.image?.header.version).toBe("0.2.0");
    expect(node.boots).toBe(2);
  });

  it("a capsule stops fetching when its AED is taken out mid-download, and carries on after it is back", async () => {
    const { id, node, startCampaign } = await boot("capsule", { maxBytesPerSecond: 4 * 1024 });
    const campaign = await startCampaign();
    await drive([node], async () => ((await node.inspect()).ota?.downloadedBytes ?? 0) >= 12 * 1024, "a quarter is written");
    await node.setPins({ capsuleDoor: OPEN, aedCabinetDoor: OPEN, aedPresent: AED_GONE });
    await drive([node], async () => (await memberState(campaign, id)).state === "deferred", "the download pauses");
    const held = (await node.inspect()).ota!.downloadedBytes;
    const asked = chunksAskedBy(id);
    for (let i = 0; i < 30; i++) await node.advance(2000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(chunksAskedBy(id)).toBe(asked);
    expect((await node.inspect()).ota).toMatchObject({ phase: "deferred", downloadedBytes: held });
    expect(node.boots).toBe(1);

    await node.setPins({ capsuleDoor: CLOSED, aedCabinetDoor: CLOSED, aedPresent: AED_IN_PLACE });
    await drive([node], async () => (await memberState(campaign, id)).state === "healthy", "the update completes", { timeoutMs: 45_000 });
    expect(node.image?.header.version).toBe("0.2.0");
  });
});
