import type { AckMessage, EventMessage, HealthMessage, StatusMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";

/** Valid examples of the link's messages (health, event, ack, status), and ways they can be wrong. */
export const health: HealthMessage = {
  v: 1,
  node: "smoke-001",
  boot: 2,
  seq: 40,
  t: 600_000,
  type: "health",
  kind: "smoke",
  firmware: "0.2.0",
  intervalMs: 60_000,
  heap: { freeBytes: 120_000, minFreeBytes: 98_000 },
  rssiDbm: -67,
  resetReason: "power-on",
  sensors: { smoke: "ok" },
  outbox: { depth: 0, capacity: 32, alarms: 0 },
  dropped: { telemetry: 0, event: 0, alarm: 0 },
};

export const event: EventMessage = {
  v: 1, node: "smoke-001", boot: 2, seq: 41, t: 601_000, type: "event",
  name: "config-applied", data: { telemetryIntervalMs: 30_000, "smoke.holdSamples": 4 },
};

export const ack: AckMessage = {
  v: 1, node: "smoke-001", boot: 2, seq: 42, t: 602_000, type: "ack",
  command: "3f1c2a9e-8d7b-4c1e-9a51-0b6f3e2d1c00", op: "config", result: "ok",
};

export const online: StatusMessage = { v: 1, node: "smoke-001", boot: 2, seq: 2, t: 10, type: "status", online: true, firmware: "0.2.0", willSeq: 1 };

const on = (channel: "health" | "event" | "ack" | "status") => nodeTopic("smoke-001", channel);

/** [name, topic, payload, reason]: each must be refused with that reason. */
export const malformedLink: Array<[string, string, string, string]> = [
  ["health without sensors", on("health"), JSON.stringify({ ...health, sensors: undefined }), "invalid-field"],
  ["health with an unknown sensor state", on("health"), JSON.stringify({ ...health, sensors: { smoke: "on fire" } }), "invalid-field"],
  ["health with negative outbox depth", on("health"), JSON.stringify({ ...health, outbox: { ...health.outbox, depth: -1 } }), "invalid-field"],
  ["health with an impossible RSSI", on("health"), JSON.stringify({ ...health, rssiDbm: 40 }), "invalid-field"],
  ["health with a heartbeat under a second", on("health"), JSON.stringify({ ...health, intervalMs: 10 }), "invalid-field"],
  ["health on the event channel", on("event"), JSON.stringify(health), "topic-mismatch"],
  ["event with an upper-case name", on("event"), JSON.stringify({ ...event, name: "Config" }), "invalid-field"],
  ["event with nested data", on("event"), JSON.stringify({ ...event, data: { a: { b: 1 } } }), "invalid-field"],
  ["ack with an unknown result", on("ack"), JSON.stringify({ ...ack, result: "maybe" }), "invalid-field"],
  ["ack with a command id holding a slash", on("ack"), JSON.stringify({ ...ack, command: "a/b" }), "invalid-field"],
  ["status with a negative willSeq", on("status"), JSON.stringify({ ...online, willSeq: -3 }), "invalid-field"],
];
