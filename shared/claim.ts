import { isNodeKind, type NodeKind } from "./node-kinds";
import { isNodeId, PROTOCOL_VERSION } from "./protocol";
import { parseClaimRequestTopic } from "./topics";

/**
 * The claim exchange: a blank node, holding only its batch's claim credential, asks for an
 * identity; the cloud answers with credentials or a reason it can log.
 *
 * The broker confines each claim to its own serial (the project's Mosquitto plugin binds the
 * batch's credential to client id `claim-<serial>` for the serials the batch lists, and lets it
 * read only that serial's answer), and only the cloud reads requests. The node still puts a fresh
 * random pad in its request and the cloud returns the password XOR that pad: a one-time pad,
 * readable by the requester alone, so a broker misconfigured back to per-batch rights would
 * leak nothing, with no cipher the ESP32 would have to run.
 */

/** A chip's factory MAC address as 12 lowercase hex digits: the node's serial and, once claimed, its id. */
export const SERIAL_PATTERN = /^[0-9a-f]{12}$/;
export const BATCH_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,31}$/;
const BOARD_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,39}$/;
/** 32 bytes, hex: the pad and the password have the same length. */
export const SECRET_HEX_LENGTH = 64;
const HEX64 = /^[0-9a-f]{64}$/;

export function isSerial(value: unknown): value is string {
  return typeof value === "string" && SERIAL_PATTERN.test(value);
}

export function isBatchId(value: unknown): value is string {
  return typeof value === "string" && BATCH_ID_PATTERN.test(value);
}

/** Turns a MAC address as chips and labels print it (`A4:CF:12:34:56:78`) into a serial. */
export function serialFromMac(mac: string): string | null {
  const serial = mac.replace(/[:\-\s]/g, "").toLowerCase();
  return isSerial(serial) ? serial : null;
}

/** The broker account of a batch's claim credential; its password is the batch's claim secret. */
export function claimUsername(batchId: string): string {
  return `claim-${batchId}`;
}

/** The MQTT client id a blank node claims with (its own id once claimed is its serial). */
export function claimClientId(serial: string): string {
  return `claim-${serial}`;
}

export interface ClaimRequest {
  v: 1;
  serial: string;
  batch: string;
  board: string;
  kind: NodeKind;
  firmware: string;
  /** 32 random bytes, hex; kept in the node's flash until answered, so a retry is recognised. */
  pad: string;
}

export const CLAIM_REFUSALS = [
  "malformed-request",
  "unknown-batch",
  "batch-mismatch",
  "serial-not-in-batch",
  "batch-expired",
  "batch-used-up",
  "already-claimed",
  "revoked",
  "unavailable",
] as const;
export type ClaimRefusal = (typeof CLAIM_REFUSALS)[number];

export type ClaimResponse =
  | { v: 1; ok: true; serial: string; nodeId: string; username: string; sealedPassword: string }
  | { v: 1; ok: false; serial: string; reason: ClaimRefusal; message: string };

export type Decoded<T> = { ok: true; value: T } | { ok: false; detail: string };

export function encodeClaimRequest(request: ClaimRequest): string {
  return JSON.stringify(request);
}

export function encodeClaimResponse(response: ClaimResponse): string {
  return JSON.stringify(response);
}

/** Validates a claim request against the topic it came on; never throws. */
export function decodeClaimRequest(topic: string, text: string): Decoded<ClaimRequest> {
  const route = parseClaimRequestTopic(topic);
  if (!route) return { ok: false, detail: "not a claim request topic" };
  const raw = parseObject(text);
  if (!raw) return { ok: false, detail: "payload is not a JSON object" };
  if (raw.v !== PROTOCOL_VERSION) return { ok: false, detail: `version must be ${PROTOCOL_VERSION}` };
  if (!isSerial(raw.serial)) return { ok: false, detail: "serial must be 12 lowercase hex digits (the chip's MAC)" };
  if (!isBatchId(raw.batch)) return { ok: false, detail: "batch must be 3–32 characters of a–z, 0–9 and '-'" };
  if (raw.serial !== route.serial || raw.batch !== route.batchId) return { ok: false, detail: "serial and batch must match the topic" };
  if (typeof raw.board !== "string" || !BOARD_ID_PATTERN.test(raw.board)) return { ok: false, detail: "board must be a board id" };
  if (!isNodeKind(raw.kind)) return { ok: false, detail: "kind must be sensor, elevator or capsule" };
  if (typeof raw.firmware !== "string" || raw.firmware.length === 0 || raw.firmware.length > 32) return { ok: false, detail: "firmware must be a version string" };
  if (typeof raw.pad !== "string" || !HEX64.test(raw.pad)) return { ok: false, detail: "pad must be 64 lowercase hex digits" };
  return { ok: true, value: raw as unknown as ClaimRequest };
}

/** Validates the cloud's answer as the node receives it; never throws. */
export function decodeClaimResponse(text: string): Decoded<ClaimResponse> {
  const raw = parseObject(text);
  if (!raw) return { ok: false, detail: "payload is not a JSON object" };
  if (raw.v !== PROTOCOL_VERSION) return { ok: false, detail: `version must be ${PROTOCOL_VERSION}` };
  if (!isSerial(raw.serial)) return { ok: false, detail: "serial is missing" };
  if (raw.ok === true) {
    if (!isNodeId(raw.nodeId)) return { ok: false, detail: "nodeId is not a node id" };
    if (typeof raw.username !== "string" || raw.username.length === 0 || raw.username.length > 64) return { ok: false, detail: "username is missing" };
    if (typeof raw.sealedPassword !== "string" || !HEX64.test(raw.sealedPassword)) return { ok: false, detail: "sealedPassword must be 64 hex digits" };
    return { ok: true, value: raw as unknown as ClaimResponse };
  }
  if (raw.ok === false) {
    if (typeof raw.reason !== "string" || !(CLAIM_REFUSALS as readonly string[]).includes(raw.reason)) return { ok: false, detail: "reason is unknown" };
    if (typeof raw.message !== "string" || raw.message.length > 300) return { ok: false, detail: "message must be a short string" };
    return { ok: true, value: raw as unknown as ClaimResponse };
  }
  return { ok: false, detail: "ok must be true or false" };
}

/**
 * XOR of two 32-byte hex strings: seals a password with the requester's pad, and unseals it
 * with the same pad. Throws on anything but two 64-digit hex strings.
 */
export function xorHex(a: string, b: string): string {
  if (!HEX64.test(a) || !HEX64.test(b)) throw new RangeError("xorHex takes two 64-digit lowercase hex strings");
  let out = "";
  for (let i = 0; i < a.length; i += 2) {
    const byte = parseInt(a.slice(i, i + 2), 16) ^ parseInt(b.slice(i, i + 2), 16);
    out += (byte < 16 ? "0" : "") + byte.toString(16);
  }
  return out;
}

/** Hex of bytes, for pads and secrets; runs on XS as well as Node. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return out;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const raw: unknown = JSON.parse(text);
    return typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
