import { createHash, randomBytes } from "node:crypto";
import { CAMPAIGN_ID_PATTERN, compareVersions, isVersion, OTA_CHUNK_BYTES, type OtaCancel, type OtaOffer, type OtaReport } from "../../shared/ota";
import type { Db } from "../db/client";
import type { CampaignStatus } from "../db/schema";
import type { Logger } from "../log";
import { ImageStore } from "./image-store";
import {
  activeMemberships,
  campaignNode,
  campaignNodes,
  campaignsWithStatus,
  findImage,
  getCampaign,
  insertCampaign,
  nodesInActiveCampaigns,
  targetDevices,
  updateCampaign,
  updateCampaignNodes,
  upsertDevice,
  type CampaignNodeRow,
  type CampaignRow,
  type OtaImageRow,
} from "./queries";

/** How offers and cancels reach nodes: MQTT in the cloud (ota-service.ts), a direct call in the benchmark. */
export interface OfferChannel {
  offer(nodeId: string, offer: OtaOffer): void;
  cancel(nodeId: string, cancel: OtaCancel): void;
}

export interface CampaignRequest {
  /** SHA-256 of a stored image. */
  image: string;
  id?: string;
  /** Only nodes installed within this place (its path prefix). */
  placeId?: string;
  /** Only nodes running exactly this version. */
  fromVersion?: string;
  /** When given, must be the image's own board and kind. */
  board?: string;
  kind?: string;
  stages?: number[];
  nodeWindowMs?: number;
  failureThreshold?: number;
}

export interface StageLogEntry {
  stage: number;
  percent: number;
  /** Nodes this stage adds. */
  nodes: number;
  startedAt: number;
  endedAt: number | null;
  healthy: number;
  failed: number;
  skipped: number;
}

export interface CampaignSummary {
  id: string;
  status: CampaignStatus;
  statusReason: string | null;
  image: { sha256: string; version: string; board: string; kind: string; sizeBytes: number };
  target: Record<string, string>;
  stages: number[];
  stageIndex: number;
  nodeWindowMs: number;
  failureThreshold: number;
  counts: Record<MemberState, number>;
  nodes: number;
  offered: number;
  /** Failed and rolled back, over the nodes offered so far (operator-forgiven failures excluded). */
  failureRate: number;
  stageLog: StageLogEntry[];
  createdAt: string;
  updatedAt: string;
}

export class CampaignError extends Error {
  override name = "CampaignError";
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 | 422,
  ) {
    super(message);
  }
}

export const MEMBER_STATES = ["pending", "offered", "deferred", "downloading", "verified", "applied", "healthy", "failed", "rolled-back", "skipped", "cancelled"] as const;
export type MemberState = (typeof MEMBER_STATES)[number];
const FINISHED: ReadonlySet<string> = new Set(["healthy", "failed", "rolled-back", "skipped", "cancelled"]);
const FAILED: ReadonlySet<string> = new Set(["failed", "rolled-back"]);
/** States in which a silent node is offered the update again (its offer or its download may have been lost). */
const REOFFER: ReadonlySet<string> = new Set(["offered", "deferred", "downloading", "verified"]);

export const CAMPAIGN_DEFAULTS = { stages: [1, 10, 50, 100], nodeWindowMs: 30 * 60_000, failureThreshold: 0.1 };

/**
 * Staged rollouts. A campaign snapshots its target nodes, shuffles them (by a hash of campaign
 * and node, so a stage spreads over places) and splits them into cumulative stages. Each
 * `tick()`:
 *  - offers the update to the current stage's nodes not yet offered, and again to silent ones;
 *  - counts a node failed when it has not reported healthy on the new version within
 *    `nodeWindowMs` of its first offer (one busy all that time is "skipped", not failed);
 *  - pauses the campaign itself once failed + rolled-back nodes exceed `failureThreshold` of the
 *    nodes offered so far;
 *  - advances to the next stage only when every node of this one has finished.
 * Time comes from the injected clock and ticks from whoever calls `tick()`, so a test or the
 * benchmark plays hours of rollout in milliseconds.
 */
export class CampaignEngine {
  #db: Db;
  #clock: () => number;
  #channel: OfferChannel;
  #log: Logger;
  #reofferMs: number;
  #images = new Map<string, OtaImageRow>();

  constructor(options: { db: Db; clock: () => number; channel: OfferChannel; log: Logger; reofferMs?: number }) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#channel = options.channel;
    this.#log = options.log;
    this.#reofferMs = options.reofferMs ?? 2 * 60_000;
  }

  async create(request: CampaignRequest, createdBy: string): Promise<CampaignSummary> {
    const image = await findImage(this.#db, String(request.image ?? ""));
    if (!image) throw new CampaignError(`no stored image with SHA-256 ${String(request.image).slice(0, 64)}`, 404);
    if (request.board !== undefined && request.board !== image.board) {
      throw new CampaignError(`the image is for board ${image.board}, not ${request.board}`, 422);
    }
    if (request.kind !== undefined && request.kind !== image.kind) throw new CampaignError(`the image is for ${image.kind} nodes, not ${request.kind}`, 422);
    if (request.fromVersion !== undefined && !isVersion(request.fromVersion)) throw new CampaignError("fromVersion must look like 1.2.3", 400);
    const stages = request.stages ?? CAMPAIGN_DEFAULTS.stages;
    if (!Array.isArray(stages) || stages.length === 0 || stages.length > 10 || stages.some((p, i) => !(Number.isInteger(p) && p >= 1 && p <= 100 && (i === 0 || p > stages[i - 1]))) || stages.at(-1) !== 100) {
      throw new CampaignError("stages must be rising whole percentages ending at 100, e.g. [1, 10, 50, 100]", 400);
    }
    const nodeWindowMs = request.nodeWindowMs ?? CAMPAIGN_DEFAULTS.nodeWindowMs;
    if (!(Number.isInteger(nodeWindowMs) && nodeWindowMs >= 1000)) throw new CampaignError("nodeWindowMs must be at least 1000", 400);
    const failureThreshold = request.failureThreshold ?? CAMPAIGN_DEFAULTS.failureThreshold;
    if (!(typeof failureThreshold === "number" && failureThreshold >= 0 && failureThreshold < 1)) {
      throw new CampaignError("failureThreshold must be a fraction from 0 to below 1 (0.1 = 10%)", 400);
    }
    const now = this.#clock();
    const id = request.id ?? `ota-${new Date(now).toISOString().slice(0, 10).replaceAll("-", "")}-${randomBytes(3).toString("hex")}`;
    if (!CAMPAIGN_ID_PATTERN.test(id)) throw new CampaignError("id must be 3–40 characters of a–z, 0–9 and '-'", 400);
    if (await getCampaign(this.#db, id)) throw new CampaignError(`campaign ${id} exists already`, 409);

    const busy = await nodesInActiveCampaigns(this.#db);
    const devices = (await targetDevices(this.#db, { board: image.board, kind: image.kind, placeId: request.placeId, fromVersion: request.fromVersion })).filter(
      (device) => !busy.has(device.nodeId) && isVersion(device.running) && compareVersions(device.running, image.version) < 0,
    );
    if (devices.length === 0) throw new CampaignError(`no ${image.kind} node on ${image.board} older than ${image.version} matches that target and is free`, 422);

    const order = devices.map((device) => device.nodeId).sort((a, b) => shuffleKey(id, a).localeCompare(shuffleKey(id, b)));
    const cumulative = stages.map((percent, i) => Math.max(i === 0 ? 1 : 0, Math.ceil((order.length * percent) / 100)));
    const members: CampaignNodeRow[] = order.map((nodeId, index) => ({
      campaignId: id,
      nodeId,
      stage: cumulative.findIndex((count) => index < count),
      state: "pending",
      progress: 0,
      reason: null,
      offeredAt: null,
      offerCount: 0,
      lastContactAt: null,
      deadlineAt: null,
      reportBoot: null,
      reportT: null,
      updatedAt: now,
    }));
    const target: Record<string, string> = { board: image.board, kind: image.kind };
    if (request.placeId) target.placeId = request.placeId;
    if (request.fromVersion) target.fromVersion = request.fromVersion;
    const firstStage: StageLogEntry = { stage: 0, percent: stages[0], nodes: cumulative[0], startedAt: now, endedAt: null, healthy: 0, failed: 0, skipped: 0 };
    await insertCampaign(
      this.#db,
      {
        id,
        imageSha256: image.sha256,
        target: JSON.stringify(target),
        stages: JSON.stringify(stages),
        stageIndex: 0,
        stageStartedAt: now,
        stageLog: JSON.stringify([firstStage]),
        nodeWindowMs,
        failureThreshold,
        failuresForgiven: 0,
        status: "running",
        statusReason: null,
        createdBy,
        createdAt: now,
        updatedAt: now,
      },
      members,
    );
    this.#log("info", "ota campaign created", { campaign: id, image: image.sha256.slice(0, 12), version: image.version, nodes: order.length, stages: stages.join("/") });
    await this.tick(id);
    return (await this.summary(id))!;
  }

  /** Advances every running or paused campaign, or just `onlyId`. */
  async tick(onlyId?: string): Promise<void> {
    const campaigns = await campaignsWithStatus(this.#db, ["running", "paused"]);
    for (const campaign of campaigns) {
      if (onlyId !== undefined && campaign.id !== onlyId) continue;
      try {
        await this.#tickCampaign(campaign);
      } catch (error) {
        this.#log("error", "ota campaign tick failed", { campaign: campaign.id, error: (error as Error).message });
      }
    }
  }

  /** Takes a node's report (already validated against the node's own topic). */
  async onReport(nodeId: string, report: OtaReport): Promise<void> {
    const now = this.#clock();
    await upsertDevice(this.#db, {
      nodeId,
      board: report.board,
      kind: report.kind,
      running: report.running,
      state: report.state,
      reportBoot: report.boot,
      reportT: report.t,
      updatedAt: now,
    });
    if (report.campaign === null) {
      // A node announcing itself mid-campaign has restarted and lost any download: offer it again at the next tick.
      if (report.state !== "idle") return;
      for (const member of await activeMemberships(this.#db, nodeId)) {
        if (REOFFER.has(member.state)) await updateCampaignNodes(this.#db, member.campaignId, [{ nodeId, set: { lastContactAt: 0 } }]);
      }
      return;
    }
    const member = await campaignNode(this.#db, report.campaign, nodeId);
    if (!member) {
      this.#log("debug", "ota report for a campaign the node is not in", { node: nodeId, campaign: report.campaign });
      return;
    }
    if (member.reportBoot !== null && member.reportT !== null) {
      const older = report.boot < member.reportBoot || (report.boot === member.reportBoot && report.t < member.reportT);
      if (older) return;
    }
    const set: Partial<CampaignNodeRow> = { lastContactAt: now, reportBoot: report.boot, reportT: report.t, updatedAt: now };
    const image = await this.#image((await getCampaign(this.#db, report.campaign))!.imageSha256);
    let state: string = report.state;
    if (state === "healthy" && report.running !== image.version) state = member.state; // healthy, but not on this version
    const keep =
      state === "idle" ||
      (FINISHED.has(member.state) && !FINISHED.has(state)) ||
      (member.state === "cancelled" && state !== "healthy" && state !== "rolled-back");
    if (!keep) {
      set.state = state;
      set.progress = state === "healthy" ? 100 : (report.progress ?? member.progress);
      set.reason = report.reason ?? null;
    }
    await updateCampaignNodes(this.#db, report.campaign, [{ nodeId, set }]);
  }

  async pause(id: string, by: string): Promise<CampaignSummary> {
    const campaign = await this.#mustGet(id);
    if (campaign.status !== "running") throw new CampaignError(`campaign ${id} is ${campaign.status}, not running`, 409);
    await updateCampaign(this.#db, id, { status: "paused", statusReason: `paused by ${by}`, updatedAt: this.#clock() });
    this.#log("info", "ota campaign paused", { campaign: id, by });
    return (await this.summary(id))!;
  }

  /** Resumes; the failures seen so far are accepted, so only new ones count against the threshold. */
  async resume(id: string, by: string): Promise<CampaignSummary> {
    const campaign = await this.#mustGet(id);
    if (campaign.status !== "paused") throw new CampaignError(`campaign ${id} is ${campaign.status}, not paused`, 409);
    const members = await campaignNodes(this.#db, id);
    const failed = members.filter((member) => FAILED.has(member.state)).length;
    await updateCampaign(this.#db, id, { status: "running", statusReason: `resumed by ${by}`, failuresForgiven: failed, updatedAt: this.#clock() });
    this.#log("info", "ota campaign resumed", { campaign: id, by, forgiven: failed });
    await this.tick(id);
    return (await this.summary(id))!;
  }

  /** Stops the campaign: nodes not yet switched are told to drop the download; switched ones finish where they are. */
  async abort(id: string, by: string): Promise<CampaignSummary> {
    const campaign = await this.#mustGet(id);
    if (campaign.status !== "running" && campaign.status !== "paused") throw new CampaignError(`campaign ${id} is already ${campaign.status}`, 409);
    const now = this.#clock();
    const changes: Array<{ nodeId: string; set: Partial<CampaignNodeRow> }> = [];
    for (const member of await campaignNodes(this.#db, id)) {
      if (member.state === "pending") changes.push({ nodeId: member.nodeId, set: { state: "cancelled", reason: "campaign aborted before its stage", updatedAt: now } });
      else if (REOFFER.has(member.state)) {
        this.#channel.cancel(member.nodeId, { v: 1, type: "ota-cancel", campaign: id });
        changes.push({ nodeId: member.nodeId, set: { state: "cancelled", reason: `campaign aborted while ${member.state}`, updatedAt: now } });
      }
    }
    await updateCampaignNodes(this.#db, id, changes);
    await updateCampaign(this.#db, id, { status: "aborted", statusReason: `aborted by ${by}`, updatedAt: now });
    this.#log("info", "ota campaign aborted", { campaign: id, by, cancelled: changes.length });
    return (await this.summary(id))!;
  }

  async summary(id: string): Promise<CampaignSummary | null> {
    const campaign = await getCampaign(this.#db, id);
    if (!campaign) return null;
    const image = await this.#image(campaign.imageSha256);
    const members = await campaignNodes(this.#db, id);
    const counts = Object.fromEntries(MEMBER_STATES.map((state) => [state, 0])) as Record<MemberState, number>;
    for (const member of members) counts[member.state as MemberState]++;
    const offered = members.length - counts.pending - members.filter((m) => m.state === "cancelled" && m.offerCount === 0).length;
    const failed = counts.failed + counts["rolled-back"] - campaign.failuresForgiven;
    return {
      id,
      status: campaign.status,
      statusReason: campaign.statusReason,
      image: { sha256: image.sha256, version: image.version, board: image.board, kind: image.kind, sizeBytes: image.sizeBytes },
      target: JSON.parse(campaign.target) as Record<string, string>,
      stages: JSON.parse(campaign.stages) as number[],
      stageIndex: campaign.stageIndex,
      nodeWindowMs: campaign.nodeWindowMs,
      failureThreshold: campaign.failureThreshold,
      counts,
      nodes: members.length,
      offered,
      failureRate: offered > 0 ? Math.max(0, failed) / offered : 0,
      stageLog: JSON.parse(campaign.stageLog) as StageLogEntry[],
      createdAt: new Date(campaign.createdAt).toISOString(),
      updatedAt: new Date(campaign.updatedAt).toISOString(),
    };
  }

  async #tickCampaign(initial: CampaignRow): Promise<void> {
    let campaign = initial;
    const image = await this.#image(campaign.imageSha256);
    const stages = JSON.parse(campaign.stages) as number[];
    const offer: OtaOffer = { v: 1, type: "ota-offer", campaign: campaign.id, release: ImageStore.release(image), chunkBytes: OTA_CHUNK_BYTES };
    const members = await campaignNodes(this.#db, campaign.id);
    for (;;) {
      const now = this.#clock();
      const running = campaign.status === "running";
      const changes: Array<{ nodeId: string; set: Partial<CampaignNodeRow> }> = [];
      const change = (member: CampaignNodeRow, set: Partial<CampaignNodeRow>) => {
        Object.assign(member, set);
        changes.push({ nodeId: member.nodeId, set });
      };
      const eligible = members.filter((member) => member.stage <= campaign.stageIndex);
      for (const member of eligible) {
        if (member.state === "pending") {
          if (!running) continue;
          this.#channel.offer(member.nodeId, offer);
          change(member, { state: "offered", offeredAt: now, offerCount: 1, lastContactAt: now, deadlineAt: now + campaign.nodeWindowMs, updatedAt: now });
          continue;
        }
        if (FINISHED.has(member.state)) continue;
        if (member.deadlineAt !== null && now >= member.deadlineAt) {
          const minutes = Math.round(campaign.nodeWindowMs / 60_000);
          if (member.state === "deferred") {
            change(member, { state: "skipped", reason: `busy throughout the ${minutes}-minute window (${member.reason ?? "no reason given"})`, updatedAt: now });
          } else {
            change(member, { state: "failed", reason: `not healthy on ${image.version} within ${minutes} minutes (last state: ${member.state})`, updatedAt: now });
          }
          continue;
        }
        if (running && REOFFER.has(member.state) && now - (member.lastContactAt ?? 0) >= this.#reofferMs) {
          this.#channel.offer(member.nodeId, offer);
          change(member, { offerCount: member.offerCount + 1, lastContactAt: now, updatedAt: now });
        }
      }
      await updateCampaignNodes(this.#db, campaign.id, changes);

      const failed = eligible.filter((member) => FAILED.has(member.state)).length - campaign.failuresForgiven;
      const stageLog = JSON.parse(campaign.stageLog) as StageLogEntry[];
      const current = stageLog[stageLog.length - 1];
      const stageMembers = members.filter((member) => member.stage === campaign.stageIndex);
      current.healthy = stageMembers.filter((member) => member.state === "healthy").length;
      current.failed = stageMembers.filter((member) => FAILED.has(member.state)).length;
      current.skipped = stageMembers.filter((member) => member.state === "skipped").length;
      const update: Partial<CampaignRow> = { stageLog: JSON.stringify(stageLog), updatedAt: now };

      if (running && failed > 0 && failed / eligible.length > campaign.failureThreshold) {
        update.status = "paused";
        update.statusReason =
          `paused itself: ${failed} of ${eligible.length} nodes failed or rolled back ` +
          `(${percent(failed / eligible.length)} > ${percent(campaign.failureThreshold)}) in stage ${campaign.stageIndex + 1} of ${stages.length}`;
        update.stageLog = JSON.stringify(stageLog);
        await updateCampaign(this.#db, campaign.id, update);
        this.#log("warn", "ota campaign paused itself", { campaign: campaign.id, reason: update.statusReason });
        return;
      }
      if (!running || !eligible.every((member) => FINISHED.has(member.state))) {
        await updateCampaign(this.#db, campaign.id, update);
        return;
      }
      current.endedAt = now;
      if (campaign.stageIndex === stages.length - 1) {
        update.stageLog = JSON.stringify(stageLog);
        update.status = "completed";
        update.statusReason = `completed: ${members.filter((m) => m.state === "healthy").length} of ${members.length} nodes healthy on ${image.version}`;
        await updateCampaign(this.#db, campaign.id, update);
        this.#log("info", "ota campaign completed", { campaign: campaign.id });
        return;
      }
      const next = campaign.stageIndex + 1;
      stageLog.push({ stage: next, percent: stages[next], nodes: members.filter((m) => m.stage === next).length, startedAt: now, endedAt: null, healthy: 0, failed: 0, skipped: 0 });
      update.stageLog = JSON.stringify(stageLog);
      update.stageIndex = next;
      update.stageStartedAt = now;
      await updateCampaign(this.#db, campaign.id, update);
      this.#log("info", "ota campaign advanced", { campaign: campaign.id, stage: next + 1, percent: stages[next] });
      campaign = { ...campaign, ...update } as CampaignRow;
    }
  }

  async #image(sha256: string): Promise<OtaImageRow> {
    let image = this.#images.get(sha256);
    if (!image) {
      image = await findImage(this.#db, sha256);
      if (!image) throw new Error(`campaign image ${sha256} is missing`);
      this.#images.set(sha256, image);
    }
    return image;
  }

  async #mustGet(id: string): Promise<CampaignRow> {
    const campaign = await getCampaign(this.#db, id);
    if (!campaign) throw new CampaignError(`no campaign ${id}`, 404);
    return campaign;
  }
}

function shuffleKey(campaignId: string, nodeId: string): string {
  return createHash("sha256").update(`${campaignId}:${nodeId}`).digest("hex");
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}
