import { ALARM_KINDS, ALARM_STATES, FAULT_KINDS, SEVERITIES } from "./alarms";
import { deviceEventProblem, displayTextProblem } from "./events";
import type {
  AckMessage,
  AlarmMessage,
  CommandMessage,
  EventMessage,
  HealthMessage,
  NodeMessage,
  StatusMessage,
  TelemetryMessage,
} from "./messages";
import { ACK_RESULTS, CHANNEL_OF, COMMAND_OPS, SENSOR_STATES } from "./messages";
import { isNodeId, MAX_PAYLOAD_BYTES, PROTOCOL_VERSION } from "./protocol";
import { parseCommandTopic, parseUplinkTopic } from "./topics";
import { isRecord, isFiniteNumber, isCount, oneOf } from "./checks";

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
const MAX_DETECTOR_FIELDS = 16;
const SHORT_NAME = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
const SENSOR_NAME = /^[a-z][a-z0-9-]{0,15}$/;

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

  const bodyProblem = BODY_PROBLEM[type as NodeMessage["type"]](raw);
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
  if (m.evidenceIntervalMs !== undefined && !(isCount(m.evidenceIntervalMs) && m.evidenceIntervalMs > 0)) {
    return "evidenceIntervalMs must be a positive integer";
  }
  if (m.sensor !== undefined && !(typeof m.sensor === "string" && SENSOR_NAME.test(m.sensor))) {
    return "sensor must be 1–16 characters of a–z, 0–9 and '-'";
  }
  if (m.fault !== undefined && !oneOf(FAULT_KINDS, m.fault)) return `fault must be one of ${FAULT_KINDS.join(", ")}`;
  if (m.fault !== undefined && m.kind !== "sensor-fault") return "fault belongs to sensor-fault alarms only";
  if (m.detector !== undefined) {
    if (!isRecord(m.detector)) return "detector must be an object of numbers";
    const entries = Object.entries(m.detector);
    if (entries.length > MAX_DETECTOR_FIELDS) return `detector may hold at most ${MAX_DETECTOR_FIELDS} values`;
    for (const [name, value] of entries) {
      if (!SHORT_NAME.test(name)) return `detector field "${clip(name)}" is not a short identifier`;
      if (!isFiniteNumber(value)) return `detector.${name} must be a finite number`;
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
    if (!SHORT_NAME.test(name)) return `reading name "${clip(name)}" is not a short identifier`;
    if (!isFiniteNumber(value)) return `reading ${name} must be a finite number`;
  }
  return null;
}

function statusProblem(raw: Record<string, unknown>): string | null {
  const m = raw as Partial<Record<keyof StatusMessage, unknown>>;
  if (typeof m.online !== "boolean") return "online must be true or false";
  if (!isShortText(m.firmware, 32)) return "firmware must be a version string";
  if (m.willSeq !== undefined && !isCount(m.willSeq)) return "willSeq must be a non-negative integer";
  return null;
}

const MAX_EVENT_DATA = 16;
const MAX_SENSORS = 16;

function eventProblem(raw: Record<string, unknown>): string | null {
  const m = raw as Partial<Record<keyof EventMessage, unknown>>;
  if (typeof m.name !== "string" || !/^[a-z][a-z0-9-]{0,39}$/.test(m.name)) return "name must be 1–40 characters of a–z, 0–9 and '-'";
  if (m.data !== undefined) {
    if (!isRecord(m.data)) return "data must be an object";
    const entries = Object.entries(m.data);
    if (entries.length > MAX_EVENT_DATA) return `data may hold at most ${MAX_EVENT_DATA} values`;
    for (const [key, value] of entries) {
      if (!isSettingName(key)) return `data key "${clip(key)}" is not a short identifier`;
      if (!(typeof value === "boolean" || isFiniteNumber(value) || (typeof value === "string" && value.length <= 120))) {
        return `data.${key} must be a boolean, a finite number or a string of at most 120 characters`;
      }
    }
  }
  return deviceEventProblem(m);
}

function healthProblem(raw: Record<string, unknown>): string | null {
  const m = raw as Partial<Record<keyof HealthMessage, unknown>>;
  if (!isShortText(m.kind, 16)) return "kind must be a string of 1–16 characters";
  if (!isShortText(m.firmware, 32)) return "firmware must be a version string";
  if (!isCount(m.intervalMs) || m.intervalMs < 1000) return "intervalMs must be a whole number of at least 1000";
  if (m.heap !== undefined) {
    if (!isRecord(m.heap) || !isCount(m.heap.freeBytes) || !isCount(m.heap.minFreeBytes)) return "heap must hold freeBytes and minFreeBytes as counts";
  }
  if (m.rssiDbm !== undefined && !(isFiniteNumber(m.rssiDbm) && m.rssiDbm >= -127 && m.rssiDbm <= 20)) return "rssiDbm must be a number from -127 to 20";
  if (!isShortText(m.resetReason, 24)) return "resetReason must be a string of 1–24 characters";
  if (!isRecord(m.sensors)) return "sensors must be an object";
  const sensors = Object.entries(m.sensors);
  if (sensors.length > MAX_SENSORS) return `sensors may list at most ${MAX_SENSORS}`;
  for (const [name, state] of sensors) {
    if (!isIdentifier(name)) return `sensor name "${clip(name)}" is not a short identifier`;
    if (!oneOf(SENSOR_STATES, state)) return `sensor ${name} must be one of ${SENSOR_STATES.join(", ")}`;
  }
  const outbox = m.outbox;
  if (!isRecord(outbox) || !isCount(outbox.depth) || !isCount(outbox.capacity) || !isCount(outbox.alarms)) {
    return "outbox must hold depth, capacity and alarms as counts";
  }
  const dropped = m.dropped;
  if (!isRecord(dropped) || !isCount(dropped.telemetry) || !isCount(dropped.event) || !isCount(dropped.alarm)) {
    return "dropped must hold telemetry, event and alarm as counts";
  }
  if (m.lastError !== undefined && !(typeof m.lastError === "string" && m.lastError.length <= 200)) return "lastError must be a string of at most 200 characters";
  return null;
}

function ackProblem(raw: Record<string, unknown>): string | null {
  const m = raw as Partial<Record<keyof AckMessage, unknown>>;
  if (!(m.command === "" || isCommandId(m.command))) return "command must be a command id or empty";
  if (!isShortText(m.op, 24)) return "op must be a string of 1–24 characters";
  if (!oneOf(ACK_RESULTS, m.result)) return `result must be one of ${ACK_RESULTS.join(", ")}`;
  if (m.detail !== undefined && !(typeof m.detail === "string" && m.detail.length <= 200)) return "detail must be a string of at most 200 characters";
  return null;
}

const BODY_PROBLEM: { [K in NodeMessage["type"]]: (raw: Record<string, unknown>) => string | null } = {
  alarm: alarmProblem,
  telemetry: telemetryProblem,
  status: statusProblem,
  event: eventProblem,
  health: healthProblem,
  ack: ackProblem,
};

export function encodeCommand(command: CommandMessage): string {
  return JSON.stringify(command);
}

export type CommandDecodeResult =
  | { ok: true; command: CommandMessage }
  | { ok: false; reason: RejectReason | "wrong-node"; detail: string; id: string; op: string };

const MAX_CONFIG_ENTRIES = 16;

/**
 * Decodes a command that arrived on `topic` at the node `selfNodeId`. Never throws. A refusal
 * still carries the command's id and op when they could be read, so the node can ack it.
 */
export function decodeCommand(topic: string, text: string, selfNodeId: string): CommandDecodeResult {
  let id = "";
  let op = "unknown";
  const refuse = (reason: RejectReason | "wrong-node", detail: string): CommandDecodeResult => ({ ok: false, reason, detail, id, op });
  if (text.length > MAX_PAYLOAD_BYTES) return refuse("oversized", `command is ${text.length} characters; the limit is ${MAX_PAYLOAD_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return refuse("malformed-json", (error as Error).message);
  }
  if (!isRecord(raw)) return refuse("malformed-json", "command is not a JSON object");
  if (isCommandId(raw.id)) id = raw.id;
  if (typeof raw.op === "string" && raw.op.length >= 1 && raw.op.length <= 24) op = raw.op;
  if (raw.v !== PROTOCOL_VERSION) return refuse("unknown-version", `version ${clip(JSON.stringify(raw.v))} is not ${PROTOCOL_VERSION}`);
  if (raw.type !== "command") return refuse("invalid-field", "type must be command");
  if (!id) return refuse("invalid-field", "id must be 1–40 characters of A–Z, a–z, 0–9, '_' and '-'");
  const addressee = parseCommandTopic(topic);
  if (addressee !== selfNodeId) return refuse("wrong-node", `command came on ${clip(topic)}, not this node's command topic`);
  if (raw.node !== selfNodeId) return refuse("wrong-node", `command is addressed to "${clip(String(raw.node))}", not to ${selfNodeId}`);
  if (!oneOf(COMMAND_OPS, raw.op)) return refuse("invalid-field", `op must be one of ${COMMAND_OPS.join(", ")}`);
  switch (raw.op) {
    case "config": {
      if (!isRecord(raw.config)) return refuse("invalid-field", "config must be an object of settings");
      const entries = Object.entries(raw.config);
      if (entries.length === 0 || entries.length > MAX_CONFIG_ENTRIES) return refuse("invalid-field", `config must change 1–${MAX_CONFIG_ENTRIES} settings`);
      for (const [key, value] of entries) {
        if (!isSettingName(key)) return refuse("invalid-field", `config key "${clip(key)}" is not a setting name`);
        if (!isFiniteNumber(value)) return refuse("invalid-field", `config.${key} must be a finite number`);
      }
      break;
    }
    case "relay-test":
      if (!(isCount(raw.durationMs) && raw.durationMs >= 100 && raw.durationMs <= 10_000)) {
        return refuse("invalid-field", "durationMs must be a whole number from 100 to 10000");
      }
      break;
    case "display": {
      const problem = displayTextProblem(raw.text);
      if (problem) return refuse("invalid-field", problem);
      break;
    }
    case "reboot":
    case "enable":
    case "disable":
    case "self-test":
      break;
  }
  return { ok: true, command: raw as unknown as CommandMessage };
}

/** Command ids are the cloud's; short and printable so they fit in an ack and a log line. */
export function isCommandId(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{1,40}$/.test(value);
}

function isShortText(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= max;
}

/** `telemetryIntervalMs`, or one level deep: `smoke.holdSamples`. */
/** A setting by dotted name, up to three levels deep (`electrical.leakage.thresholdMa`). */
function isSettingName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]{0,31}(\.[A-Za-z][A-Za-z0-9]{0,31}){0,2}$/.test(name);
}

function isIdentifier(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]{0,31}$/.test(name);
}

function reject(reason: RejectReason, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}





function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
