import { encodeMessage } from "../../shared/codec";
import type { AlarmMessage } from "../../shared/messages";
import { MAX_PAYLOAD_BYTES } from "../../shared/protocol";
import { nodeTopic } from "../../shared/topics";

/** A valid alarm, and ways a message can be wrong, with the reason the codec must give. */
export const alarm: AlarmMessage = {
  v: 1,
  node: "smoke-001",
  boot: 3,
  seq: 17,
  t: 120_000,
  type: "alarm",
  kind: "smoke",
  severity: "alarm",
  state: "raised",
  value: 900,
  unit: "raw",
  threshold: 700,
  evidence: [300, 900, 900],
};
export const topic = nodeTopic("smoke-001", "alarm");

/** A sensor fault with every optional field the edge detectors send. */
export const faultAlarm: AlarmMessage = {
  ...alarm,
  seq: 18,
  kind: "sensor-fault",
  severity: "warning",
  value: 4095,
  threshold: 4000,
  sensor: "smoke",
  fault: "open",
  evidenceIntervalMs: 1000,
  detector: { baselineRaw: 302.5, stateCode: 0 },
};

export const malformed: Array<[string, string, string, string]> = [
  ["truncated JSON", topic, encodeMessage(alarm).slice(0, 40), "malformed-json"],
  ["not an object", topic, "[1,2,3]", "malformed-json"],
  ["unknown version", topic, JSON.stringify({ ...alarm, v: 2 }), "unknown-version"],
  ["wrong type for value", topic, JSON.stringify({ ...alarm, value: "900" }), "invalid-field"],
  ["negative seq", topic, JSON.stringify({ ...alarm, seq: -1 }), "invalid-field"],
  ["unknown alarm kind", topic, JSON.stringify({ ...alarm, kind: "ufo" }), "invalid-field"],
  ["node id not matching its topic", topic, JSON.stringify({ ...alarm, node: "smoke-002" }), "topic-mismatch"],
  ["alarm on the telemetry channel", nodeTopic("smoke-001", "telemetry"), encodeMessage(alarm), "topic-mismatch"],
  ["command channel is not an uplink", nodeTopic("smoke-001", "cmd"), encodeMessage(alarm), "unknown-topic"],
  ["fault on a smoke alarm", topic, JSON.stringify({ ...alarm, fault: "open" }), "invalid-field"],
  ["unknown fault", topic, JSON.stringify({ ...faultAlarm, fault: "haunted" }), "invalid-field"],
  ["sensor name with spaces", topic, JSON.stringify({ ...faultAlarm, sensor: "smoke chamber" }), "invalid-field"],
  ["detector state not numbers", topic, JSON.stringify({ ...faultAlarm, detector: { baselineRaw: "302" } }), "invalid-field"],
  ["detector state an array", topic, JSON.stringify({ ...faultAlarm, detector: [1, 2] }), "invalid-field"],
  ["detector with too many fields", topic, JSON.stringify({ ...faultAlarm, detector: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}`, i])) }), "invalid-field"],
  ["evidence interval of zero", topic, JSON.stringify({ ...faultAlarm, evidenceIntervalMs: 0 }), "invalid-field"],
  ["oversized payload", topic, JSON.stringify({ ...alarm, pad: "x".repeat(MAX_PAYLOAD_BYTES) }), "oversized"],
];

