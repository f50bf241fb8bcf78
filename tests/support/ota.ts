import { eq } from "drizzle-orm";
import { createHash, type KeyObject } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../cloud/app";
import type { Db } from "../../cloud/db/client";
import { nodes } from "../../cloud/db/schema";
import { CampaignEngine, type OfferChannel } from "../../cloud/ota/campaign-engine";
import { ImageStore } from "../../cloud/ota/image-store";
import { generateReleaseKey, loadPrivateKey, signRelease } from "../../cloud/ota/release-key";
import { createPlace } from "../../cloud/places/queries";
import type { NodeConfig } from "../../firmware/config";
import { OTA_DEFAULTS } from "../../firmware/ota/ota-config";
import type { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { SimPartitions } from "../../firmware/platform/sim/host/sim-partitions";
import type { OtaCancel, OtaOffer, SignedRelease } from "../../shared/ota";
import { buildSimImage, type SimImageHeader } from "../../shared/sim-image";
import { testCloud } from "./cloud";
import { smokeNodeConfig } from "./sim-config";

export interface ReleaseKey {
  privateKey: KeyObject;
  publicKeyHex: string;
}

export function releaseKey(): ReleaseKey {
  const { privateKeyPem, publicKeyHex } = generateReleaseKey();
  return { privateKey: loadPrivateKey(privateKeyPem), publicKeyHex };
}

export const BOARD = "esp32-devkitc";

/** A simulated firmware image and its release, signed with `key`. */
export function signedSimImage(key: ReleaseKey, header: Partial<SimImageHeader> & { version: string }, sizeBytes = 48 * 1024) {
  const full: SimImageHeader = { board: BOARD, kind: "sensor", ...header };
  const image = buildSimImage(full, sizeBytes);
  const release: SignedRelease = signRelease(
    { board: full.board, kind: full.kind as SignedRelease["kind"], version: full.version, sizeBytes, sha256: createHash("sha256").update(image).digest("hex") },
    key.privateKey,
  );
  return { image, release };
}

/** A fresh node's flash: slot 0 holds the factory image `version`. */
export function factoryPartitions(version = "0.1.0"): SimPartitions {
  return new SimPartitions(buildSimImage({ version, board: BOARD, kind: "sensor" }, 16 * 1024), 256 * 1024);
}

/** A smoke node that takes updates signed by `publicKeyHex`, with timings short enough for a test. */
export function otaNodeConfig(nodeId: string, publicKeyHex: string, ota: Partial<NonNullable<NodeConfig["ota"]>> = {}): NodeConfig {
  return smokeNodeConfig(nodeId, {
    ota: {
      ...OTA_DEFAULTS,
      board: BOARD,
      kind: "sensor",
      releaseKeys: [publicKeyHex],
      maxBytesPerSecond: 64 * 1024,
      chunkTimeoutMs: 2000,
      healthWindowMs: 60_000,
      healthStableMs: 5000,
      busyRetryMs: 1000,
      ...ota,
    },
  });
}

/** Uploads through the API as the release CLI does; returns the HTTP status and body. */
export async function uploadImage(baseUrl: string, token: string, image: Uint8Array, release: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  form.set("image", new Blob([new Uint8Array(image)]), "firmware.bin");
  form.set("release", JSON.stringify(release));
  const response = await fetch(`${baseUrl}/api/ota/images`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A root place of its own for a test's nodes, so its campaign targets them and nothing else. */
export async function placeNodes(db: Db, placeId: string, nodeIds: string[]): Promise<void> {
  await createPlace(db, { id: placeId, parentId: null, level: "street", name: placeId }, Date.now());
  for (const nodeId of nodeIds) await db.update(nodes).set({ placeId }).where(eq(nodes.id, nodeId));
}

/**
 * Moves the nodes' virtual clocks in steps while real MQTT traffic flows, until `done` holds.
 * Each step gives the broker and the cloud a moment to answer.
 */
export async function drive(simNodes: SimNode[], done: () => boolean | Promise<boolean>, what: string, options: { stepMs?: number; timeoutMs?: number } = {}): Promise<void> {
  const stepMs = options.stepMs ?? 250;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out driving the nodes until ${what}`);
    for (const node of simNodes) await node.advance(stepMs);
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}

export interface SentToNode {
  nodeId: string;
  message: OtaOffer | OtaCancel;
}

/**
 * The cloud app with OTA over a fresh database, a fake clock and an offer channel that records
 * what would have gone to each node, for tests that play the nodes' side themselves.
 */
export async function otaTestCloud(releaseKeys: string[], options: { reofferMs?: number } = {}) {
  const cloud = await testCloud();
  const sent: SentToNode[] = [];
  const channel: OfferChannel = {
    offer: (nodeId, message) => sent.push({ nodeId, message }),
    cancel: (nodeId, message) => sent.push({ nodeId, message }),
  };
  const db = cloud.database.db;
  const store = new ImageStore({ db, dataDir: mkdtempSync(join(tmpdir(), "sw-ota-store-")), releaseKeys });
  const engine = new CampaignEngine({ db, clock: () => cloud.clock.now, channel, log: cloud.log, reofferMs: options.reofferMs ?? 60_000 });
  const app = createApp({
    db,
    feed: cloud.feed,
    ingest: cloud.ingest,
    log: cloud.log,
    commands: cloud.commands,
    now: () => cloud.clock.now,
    routing: cloud.routing,
    ota: { db, store, engine, now: () => cloud.clock.now },
  });
  const request = (path: string, init: RequestInit = {}) =>
    app.request(path, { ...init, headers: { authorization: `Bearer ${cloud.token}`, ...(init.body && typeof init.body === "string" ? { "content-type": "application/json" } : {}), ...init.headers } });
  return {
    ...cloud,
    app,
    store,
    engine,
    sent,
    request,
    async upload(image: Uint8Array, release: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
      const form = new FormData();
      form.set("image", new Blob([new Uint8Array(image)]), "firmware.bin");
      form.set("release", JSON.stringify(release));
      const response = await request("/api/ota/images", { method: "POST", body: form });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    /** A node announcing itself, as its firmware does at boot. */
    async announce(nodeId: string, running = "0.1.0", boot = 1): Promise<void> {
      // The node as the ingest would have recorded it from its status message.
      await db
        .insert(nodes)
        .values({ id: nodeId, online: true, firmware: running, bootId: boot, firstSeenAt: cloud.clock.now, lastSeenAt: cloud.clock.now })
        .onConflictDoUpdate({ target: nodes.id, set: { firmware: running, bootId: boot, lastSeenAt: cloud.clock.now } });
      await engine.onReport(nodeId, { v: 1, node: nodeId, boot, t: 0, campaign: null, state: "idle", version: null, running, board: BOARD, kind: "sensor" });
    },
    async close() {
      await store.close();
      await cloud.close();
    },
  };
}
