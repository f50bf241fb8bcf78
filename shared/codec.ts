import { ALARM_KINDS, ALARM_STATES, SEVERITIES } from "./alarms";
import { ackProblem, eventProblem } from "./events";
import type { AlarmMessage, NodeMessage, StatusMessage, TelemetryMessage } from "./messages";
import { CHANNEL_OF } from "./messages";
import { isNodeId, MAX_PAYLOAD_BYTES, PROTOCOL_VERSION } from "./protocol";
import { parseUplinkTopic } from "./topics";

/** Why a message was refused; the ingest counts rejections under these names. */
export type RejectReason =
  | "oversized"
  | "malformed-json"
  | "unknown-version"
  | "invalid-field"
  | "unknown-topic"
  | "topic-mismatch";

export type DecodeResult =
  | { ok: true; message: NodeMessage }
  | { ok: false; reason: RejectReason; detail: string };

/** One JSON encoding for every message, the same on the node and in the cloud. */
export function encodeMessage(message: NodeMessage): string {
  return JSON.stringify(message);
}

const MAX_EVIDENCE = 64;
const MAX_READINGS = 32;

/**
 * Decodes and validates a payload received on `topic`. Never throws: anything that is not a
 * well-formed message of the current version, sent on its own node's topic, comes back as a
 * reason and a human-readable detail.
 */
export function decodeNodeMessage(topic: string, text: string, byteLength: number = text.length): DecodeResult {
  if (byteLength > MAX_PAYLOAD_BYTES) {
    return reject("oversized", `payload is ${byteLength} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
  }
  const route = parseUplinkTopic(topic);
  if (!route) return reject("unknown-topic", `"${clip(topic)}" is not a node uplink topic`);

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return reject("malformed-json", (error as Error).message);
  }
  if (!isRecord(raw)) return reject("malformed-json", "payload is not a JSON object");
  if (raw.v !== PROTOCOL_VERSION) {
    return reject("unknown-version", `version ${clip(JSON.stringify(raw.v))} is not ${PROTOCOL_VERSION}`);
  }

  const problem = headerProblem(raw);
  if (problem) return reject("invalid-field", problem);
  if (raw.node !== route.nodeId) {
    return reject("topic-mismatch", `message names node "${clip(String(raw.node))}" but came on ${route.nodeId}'s topic`);
  }

  const type = raw.type;
  if (typeof type !== "string" || !(type in CHANNEL_OF)) {
    return reject("invalid-field", `type ${clip(JSON.stringify(type))} is unknown`);
  }
  if (CHANNEL_OF[type as NodeMessage["type"]] !== route.channel) {
    return reject("topic-mismatch", `a ${type} message does not belong on the ${route.channel} channel`);
  }

  const bodyProblem =
    type === "alarm"
      ? alarmProblem(raw)
      : type === "telemetry"
        ? telemetryProblem(raw)
        : type === "event"
          ? eventProblem(raw)
          : type === "ack"
            ? ackProblem(raw)
            : statusProblem(raw);
  if (bodyProblem) return reject("invalid-field", bodyProblem);
  return { ok: true, message: raw as unknown as NodeMessage };
}

function headerProblem(raw: Record<string, unknown>): string | null {
  if (!isNodeId(raw.node)) return "node must be 3–40 characters of a–z, 0–9 and '-'";
  if (!isCount(raw.boot)) return "boot must be a non-negative integer";
  if (!isCount(raw.seq) || raw.seq === 0) return "seq must be a positive integer";
  if (!isCount(raw.t)) return "t must be a non-negative integer (ms since boot)";
  return null;
}

function alarmProblem(raw: Record<string, unknown>): string | null {
  const m = raw as Partial<Record<keyof AlarmMessage, unknown>>;
  if (!oneOf(ALARM_KINDS, m.kind)) return `kind must be one of ${ALARM_KINDS.join(", ")}`;
  if (!oneOf(SEVERITIES, m.severity)) return `severity must be one of ${SEVERITIES.join(", ")}`;
  if (!oneOf(ALARM_STATES, m.state)) return `state must be one of ${ALARM_STATES.join(", ")}`;
  if (!isFiniteNumber(m.value)) return "value must be a finite number";
  if (!isFiniteNumber(m.threshold)) return "threshold must be a finite number";
  if (typeof m.unit !== "string" || m.unit.length === 0 || m.unit.length > 16) return "unit must be a string of 1–16 characters";
  if (m.evidence !== undefined) {
    if (!Array.isArray(m.evidence) || m.evidence.length > MAX_EVIDENCE || !m.evidence.every(isFiniteNumber)) {
      return `evidence must be at most ${MAX_EVIDENCE} finite numbers`;
    }
  }
  return null;
}

function telemetryProblem(raw: Record<string, unknown>): string | null {
  const readings = (raw as Partial<Record<keyof TelemetryMessage, unknown>>).readings;
  if (!isRecord(readings)) return "readings must be an object";
  const entries = Object.entries(readings);
  if (entries.length > MAX_READINGS) return `readings may hold at most ${MAX_READINGS} values`;
  for (const [name, value] of entries) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,31}$/.test(name)) return `reading name "${clip(name)}" is not a short identifier`;
    if (!isFiniteNumber(value)) return `reading ${name} must be a finite number`;
  }
  return null;
}

function statusProblem(raw: Record<string, unknown>): string | null {
  const m = raw as Partial<Record<keyof StatusMessage, unknown>>;
  if (typeof m.online !== "boolean") return "online must be true or false";
  if (typeof m.firmware !== "string" || m.firmware.length === 0 || m.firmware.length > 32) return "firmware must be a version string";
  return null;
}

function reject(reason: RejectReason, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (allowed as readonly string[]).includes(value);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
