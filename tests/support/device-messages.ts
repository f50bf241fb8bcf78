import { encodeCommand } from "../../shared/commands";
import { encodeMessage } from "../../shared/codec";
import type { AckMessage, CapsuleState, ElevatorState, EventMessage } from "../../shared/events";
import { nodeTopic } from "../../shared/topics";

/** Valid elevator and capsule messages, and ways they can be wrong, with the reason the codec must give. */
export const elevatorState: ElevatorState = { kind: "elevator", lock: "released", enabled: true, detector: "ok", override: false, ebike: false };
export const capsuleState: CapsuleState = {
  kind: "capsule",
  capsuleDoor: "closed",
  aedCabinetDoor: "closed",
  aed: "present",
  temperatureC: 21.5,
  supplyV: 13.1,
  display: "AED 在此 · AED inside",
};

export function elevatorEvent(node: string, seq: number, event: EventMessage["event"], extra: Partial<EventMessage> = {}): EventMessage {
  return { v: 1, node, boot: 1, seq, t: seq * 1000, type: "event", event, state: elevatorState, ...extra };
}

export function capsuleEvent(node: string, seq: number, event: EventMessage["event"], state: Partial<CapsuleState> = {}, extra: Partial<EventMessage> = {}): EventMessage {
  return { v: 1, node, boot: 1, seq, t: seq * 1000, type: "event", event, state: { ...capsuleState, ...state }, ...extra };
}

export const holdEnd = elevatorEvent("lift-001", 7, "hold-end", { releasedBy: "max-hold", durationMs: 180_000 });
export const ack: AckMessage = { v: 1, node: "lift-001", boot: 1, seq: 8, t: 9000, type: "ack", id: "cmd-42", command: "disable", ok: true, detail: "disabled" };

const eventTopic = nodeTopic("lift-001", "event");
export const deviceCases: Array<[string, string, string, string | null]> = [
  ["a hold-end", eventTopic, encodeMessage(holdEnd), null],
  ["a capsule event", nodeTopic("cap-001", "event"), encodeMessage(capsuleEvent("cap-001", 3, "aed-removed", { aed: "removed", temperatureC: null })), null],
  ["an ack", nodeTopic("lift-001", "ack"), encodeMessage(ack), null],
  ["hold-end without releasedBy", eventTopic, JSON.stringify({ ...holdEnd, releasedBy: undefined }), "invalid-field"],
  ["unknown releasedBy", eventTopic, JSON.stringify({ ...holdEnd, releasedBy: "magic" }), "invalid-field"],
  ["a capsule event name on an elevator", eventTopic, encodeMessage(elevatorEvent("lift-001", 2, "aed-removed")), "invalid-field"],
  ["lock neither held nor released", eventTopic, JSON.stringify({ ...holdEnd, state: { ...elevatorState, lock: "ajar" } }), "invalid-field"],
  ["state of no known kind", eventTopic, JSON.stringify({ ...holdEnd, state: { kind: "toaster" } }), "invalid-field"],
  ["display with a control character", nodeTopic("cap-001", "event"), encodeMessage(capsuleEvent("cap-001", 3, "display-set", { display: "a\nb" })), "invalid-field"],
  ["negative duration", eventTopic, JSON.stringify({ ...holdEnd, durationMs: -1 }), "invalid-field"],
  ["counts that are not counts", eventTopic, JSON.stringify(elevatorEvent("lift-001", 3, "daily-counts", { counts: { blockedAttempts: 1.5 } })), "invalid-field"],
  ["an event on the alarm channel", nodeTopic("lift-001", "alarm"), encodeMessage(holdEnd), "topic-mismatch"],
  ["an ack without ok", nodeTopic("lift-001", "ack"), JSON.stringify({ ...ack, ok: undefined }), "invalid-field"],
  ["an ack with a bad id", nodeTopic("lift-001", "ack"), JSON.stringify({ ...ack, id: "no spaces please" }), "invalid-field"],
];

export const commandCases: Array<[string, string, boolean]> = [
  ["enable", encodeCommand({ v: 1, id: "c-1", command: "enable" }), true],
  ["set-display in Chinese", encodeCommand({ v: 1, id: "c-2", command: "set-display", text: "电动车请勿进电梯" }), true],
  ["not JSON", "{", false],
  ["unknown command", JSON.stringify({ v: 1, id: "c-3", command: "explode" }), false],
  ["set-display too long", JSON.stringify({ v: 1, id: "c-4", command: "set-display", text: "x".repeat(65) }), false],
  ["set-display with a quote", JSON.stringify({ v: 1, id: "c-5", command: "set-display", text: 'a"b' }), false],
  ["wrong version", JSON.stringify({ v: 2, id: "c-6", command: "enable" }), false],
  ["no id", JSON.stringify({ v: 1, command: "enable" }), false],
];
