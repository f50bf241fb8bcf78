import { isRecord, isCount, oneOf } from "./checks";
import { NODE_KINDS, type NodeKind } from "./node-kinds";
import { isNodeId, PROTOCOL_VERSION } from "./protocol";

/**
 * Over-the-air updates: what a release says about itself, the messages between the cloud and a
 * node while it updates, and their validation. Runs on XS (the node) and Node (the cloud), so
 * both sides refuse the same things for the same reasons.
 */

/**
 * Image bytes per chunk message. Base64 makes 2048 bytes 2732 characters; with its envelope a
 * chunk stays under the broker's 4 KiB message_size_limit (deploy/mosquitto/shouwang.conf).
 * A multiple of 64 (a SHA-256 block) and a divisor of the 4 KiB flash sector.
 */
export const OTA_CHUNK_BYTES = 2048;

/** Largest image: one OTA app slot when mcconfig's ota autosplit halves the 4 MB factory partition (0x1F0000). */
export const MAX_IMAGE_BYTES = 0x1f0000;

/** Node kinds an image is built for: the same kinds provisioning knows. */
export const OTA_NODE_KINDS = NODE_KINDS;
export type OtaNodeKind = NodeKind;

/** Boards an image is built for: hardware/boards ids. */
export const BOARD_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,39}$/;

/** MAJOR.MINOR.PATCH with an optional -prerelease, e.g. 1.4.2 or 0.2.0-rc.1 (a subset of SemVer 2.0.0 §2, §9). */
export const VERSION_PATTERN = /^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})(-[0-9A-Za-z][0-9A-Za-z.-]{0,22})?$/;

export function isVersion(value: unknown): value is string {
  return typeof value === "string" && VERSION_PATTERN.test(value);
}

/** SemVer precedence (§11): numbers first; a prerelease sorts before its release. −1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = splitVersion(a);
  const [coreB, preB] = splitVersion(b);
  for (let i = 0; i < 3; i++) if (coreA[i] !== coreB[i]) return coreA[i] < coreB[i] ? -1 : 1;
  if (preA === preB) return 0;
  if (preA === "") return 1;
  if (preB === "") return -1;
  const partsA = preA.split(".");
  const partsB = preB.split(".");
  for (let i = 0; i < Math.max(partsA.length, partsB.length); i++) {
    const x = partsA[i];
    const y = partsB[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xNumeric = /^[0-9]+$/.test(x);
    const yNumeric = /^[0-9]+$/.test(y);
    if (xNumeric && yNumeric) return Number(x) < Number(y) ? -1 : 1;
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function splitVersion(version: string): [number[], string] {
  const dash = version.indexOf("-");
  const core = dash < 0 ? version : version.slice(0, dash);
  return [core.split(".").map(Number), dash < 0 ? "" : version.slice(dash + 1)];
}

/** What the release key vouches for: this exact image, for this board and kind, as this version. */
export interface ReleaseStatement {
  board: string;
  kind: OtaNodeKind;
  version: string;
  sizeBytes: number;
  /** SHA-256 of the whole image, lowercase hex. */
  sha256: string;
}

/** A statement with its Ed25519 signature and the key that made it. */
export interface SignedRelease extends ReleaseStatement {
  /** 64-byte Ed25519 signature over `releaseStatementText`, lowercase hex. */
  signature: string;
  /** First 8 bytes of the release public key, lowercase hex, so a node picks the key without trying each. */
  keyId: string;
}

/**
 * The exact bytes that are signed. Line-based ASCII with fixed field order: every field is
 * validated to exclude newlines, so no two statements share a text, and the node rebuilds it
 * from the offer without a JSON canonicalisation step.
 */
export function releaseStatementText(release: ReleaseStatement): string {
  return (
    "shouwang-release-v1\n" +
    `board=${release.board}\n` +
    `kind=${release.kind}\n` +
    `version=${release.version}\n` +
    `size=${release.sizeBytes}\n` +
    `sha256=${release.sha256}\n`
  );
}

export function keyIdOf(publicKeyHex: string): string {
  return publicKeyHex.slice(0, 16).toLowerCase();
}

/** Null when `value` is a well-formed signed release, else what is wrong with it. */
export function releaseProblem(value: unknown): string | null {
  if (!isRecord(value)) return "release must be an object";
  if (typeof value.board !== "string" || !BOARD_ID_PATTERN.test(value.board)) return "release.board must be a board id (a–z, 0–9, '-')";
  if (!oneOf(OTA_NODE_KINDS, value.kind)) return `release.kind must be one of ${OTA_NODE_KINDS.join(", ")}`;
  if (!isVersion(value.version)) return "release.version must look like 1.2.3 or 1.2.3-rc.1";
  if (!isCount(value.sizeBytes) || value.sizeBytes === 0 || value.sizeBytes > MAX_IMAGE_BYTES) {
    return `release.sizeBytes must be 1–${MAX_IMAGE_BYTES}`;
  }
  if (!isLowerHex(value.sha256, 32)) return "release.sha256 must be 64 lowercase hex digits";
  if (!isLowerHex(value.signature, 64)) return "release.signature must be 128 lowercase hex digits (Ed25519)";
  if (!isLowerHex(value.keyId, 8)) return "release.keyId must be 16 lowercase hex digits";
  return null;
}

/** Node-side states of one update, as reported up and kept per node and campaign in the cloud. */
export const OTA_STATES = [
  "idle",
  "offered",
  "deferred",
  "downloading",
  "verified",
  "applied",
  "healthy",
  "failed",
  "rolled-back",
] as const;
export type OtaState = (typeof OTA_STATES)[number];

export const CAMPAIGN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,39}$/;

/** cloud → node on `ota/offer`, QoS 1. */
export interface OtaOffer {
  v: 1;
  type: "ota-offer";
  campaign: string;
  release: SignedRelease;
  chunkBytes: number;
}

/** cloud → node on `ota/offer`, QoS 1: stop the campaign's download if it has not been applied. */
export interface OtaCancel {
  v: 1;
  type: "ota-cancel";
  campaign: string;
}

export type OtaCommand = OtaOffer | OtaCancel;

/** node → cloud on `ota/get`, QoS 0 (a lost request times out and is asked again). Like an HTTP Range request. */
export interface OtaChunkRequest {
  v: 1;
  campaign: string;
  sha256: string;
  offset: number;
  length: number;
}

/** cloud → node on `ota/chunk`, QoS 0: `data` is base64, or `error` says why there is none. */
export type OtaChunk =
  | { v: 1; sha256: string; offset: number; data: string }
  | { v: 1; sha256: string; offset: number; error: string };

/** node → cloud on `ota/state`, QoS 1. The latest report supersedes earlier ones; (boot, t) orders them. */
export interface OtaReport {
  v: 1;
  node: string;
  boot: number;
  t: number;
  /** The campaign this report is about; null when the node only announces itself. */
  campaign: string | null;
  state: OtaState;
  /** The version being installed, when there is one. */
  version: string | null;
  /** The version the node is running now. */
  running: string;
  board: string;
  kind: string;
  /** 0–100 while downloading. */
  progress?: number;
  reason?: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

export function decodeOtaCommand(text: string): Decoded<OtaCommand> {
  const raw = parseObject(text);
  if (typeof raw === "string") return fail(raw);
  if (raw.v !== PROTOCOL_VERSION) return fail(`version ${JSON.stringify(raw.v)} is not ${PROTOCOL_VERSION}`);
  if (typeof raw.campaign !== "string" || !CAMPAIGN_ID_PATTERN.test(raw.campaign)) return fail("campaign must be a campaign id");
  if (raw.type === "ota-cancel") return { ok: true, value: raw as unknown as OtaCancel };
  if (raw.type !== "ota-offer") return fail(`type ${JSON.stringify(raw.type)} is not ota-offer or ota-cancel`);
  const problem = releaseProblem(raw.release);
  if (problem) return fail(problem);
  if (!isCount(raw.chunkBytes) || raw.chunkBytes < 64 || raw.chunkBytes > OTA_CHUNK_BYTES || raw.chunkBytes % 64 !== 0) {
    return fail(`chunkBytes must be a multiple of 64 up to ${OTA_CHUNK_BYTES}`);
  }
  return { ok: true, value: raw as unknown as OtaOffer };
}

export function decodeChunkRequest(text: string): Decoded<OtaChunkRequest> {
  const raw = parseObject(text);
  if (typeof raw === "string") return fail(raw);
  if (raw.v !== PROTOCOL_VERSION) return fail(`version ${JSON.stringify(raw.v)} is not ${PROTOCOL_VERSION}`);
  if (typeof raw.campaign !== "string" || !CAMPAIGN_ID_PATTERN.test(raw.campaign)) return fail("campaign must be a campaign id");
  if (!isLowerHex(raw.sha256, 32)) return fail("sha256 must be 64 lowercase hex digits");
  if (!isCount(raw.offset) || raw.offset >= MAX_IMAGE_BYTES) return fail("offset must be inside an image");
  if (!isCount(raw.length) || raw.length === 0 || raw.length > OTA_CHUNK_BYTES) return fail(`length must be 1–${OTA_CHUNK_BYTES}`);
  return { ok: true, value: raw as unknown as OtaChunkRequest };
}

export function decodeChunk(text: string): Decoded<OtaChunk> {
  const raw = parseObject(text);
  if (typeof raw === "string") return fail(raw);
  if (raw.v !== PROTOCOL_VERSION) return fail(`version ${JSON.stringify(raw.v)} is not ${PROTOCOL_VERSION}`);
  if (!isLowerHex(raw.sha256, 32)) return fail("sha256 must be 64 lowercase hex digits");
  if (!isCount(raw.offset)) return fail("offset must be a non-negative integer");
  if (typeof raw.error === "string") return { ok: true, value: raw as unknown as OtaChunk };
  if (typeof raw.data !== "string" || raw.data.length === 0 || raw.data.length > Math.ceil(OTA_CHUNK_BYTES / 3) * 4) {
    return fail("data must be base64 of at most one chunk");
  }
  return { ok: true, value: raw as unknown as OtaChunk };
}

/** Validates a report that arrived on `nodeId`'s own state topic; a report naming another node is refused. */
export function decodeOtaReport(nodeId: string, text: string): Decoded<OtaReport> {
  const raw = parseObject(text);
  if (typeof raw === "string") return fail(raw);
  if (raw.v !== PROTOCOL_VERSION) return fail(`version ${JSON.stringify(raw.v)} is not ${PROTOCOL_VERSION}`);
  if (!isNodeId(raw.node)) return fail("node must be a node id");
  if (raw.node !== nodeId) return fail(`report names node "${String(raw.node).slice(0, 40)}" but came on ${nodeId}'s topic`);
  if (!isCount(raw.boot) || !isCount(raw.t)) return fail("boot and t must be non-negative integers");
  if (raw.campaign !== null && (typeof raw.campaign !== "string" || !CAMPAIGN_ID_PATTERN.test(raw.campaign))) {
    return fail("campaign must be a campaign id or null");
  }
  if (!oneOf(OTA_STATES, raw.state)) return fail(`state must be one of ${OTA_STATES.join(", ")}`);
  if (raw.version !== null && !isVersion(raw.version)) return fail("version must be a version or null");
  if (!isVersion(raw.running)) return fail("running must be a version");
  if (typeof raw.board !== "string" || !BOARD_ID_PATTERN.test(raw.board)) return fail("board must be a board id");
  if (typeof raw.kind !== "string" || !/^[a-z][a-z-]{1,19}$/.test(raw.kind)) return fail("kind must be a node kind");
  if (raw.progress !== undefined && !(isCount(raw.progress) && raw.progress <= 100)) return fail("progress must be 0–100");
  if (raw.reason !== undefined && (typeof raw.reason !== "string" || raw.reason.length > 200)) return fail("reason must be at most 200 characters");
  return { ok: true, value: raw as unknown as OtaReport };
}

function parseObject(text: string): Record<string, unknown> | string {
  if (text.length > 4096) return "payload is larger than 4096 characters";
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return `malformed JSON: ${(error as Error).message}`;
  }
  return isRecord(raw) ? raw : "payload is not a JSON object";
}

function fail<T>(problem: string): Decoded<T> {
  return { ok: false, problem };
}



function isLowerHex(value: unknown, byteLength: number): value is string {
  return typeof value === "string" && value.length === byteLength * 2 && /^[0-9a-f]+$/.test(value);
}

