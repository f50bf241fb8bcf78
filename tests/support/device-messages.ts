import { encodeCommand, encodeMessage } from "../../shared/codec";
import type { CapsuleState, DeviceEventName, ElevatorState } from "../../shared/events";
import type { AckMessage, CommandMessage, EventMessage } from "../../shared/messages";
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

export function elevatorEvent(node: string, seq: number, name: DeviceEventName, extra: Partial<EventMessage> = {}): EventMessage {
  return { v: 1, node, boot: 1, seq, t: seq * 1000, type: "event", name, state: elevatorState, ...extra };
}

export function capsuleEvent(node: string, seq: number, name: DeviceEventName, state: Partial<CapsuleState> = {}, extra: Partial<EventMessage> = {}): EventMessage {
  return { v: 1, node, boot: 1, seq, t: seq * 1000, type: "event", name, state: { ...capsuleState, ...state }, ...extra };
}

export const holdEnd = elevatorEvent("lift-001", 7, "hold-end", { releasedBy: "max-hold", durationMs: 180_000 });
export const dailyCounts = elevatorEvent("lift-001", 9, "daily-counts", { data: { blockedAttempts: 12, "released.clear": 11, "released.maxHold": 1 } });
export const ack: AckMessage = { v: 1, node: "lift-001", boot: 1, seq: 8, t: 9000, type: "ack", command: "cmd-42", op: "disable", result: "ok", detail: "disabled" };

const eventTopic = nodeTopic("lift-001", "event");
export const deviceCases: Array<[string, string, string, string | null]> = [
  ["a hold-end", eventTopic, encodeMessage(holdEnd), null],
  ["daily counts", eventTopic, encodeMessage(dailyCounts), null],
  ["a capsule event", nodeTopic("cap-001", "event"), encodeMessage(capsuleEvent("cap-001", 3, "aed-removed", { aed: "removed", temperatureC: null })), null],
  ["a capsule event with its measurement", nodeTopic("cap-001", "event"), encodeMessage(capsuleEvent("cap-001", 4, "temperature-out-of-range", {}, { data: { temperatureC: 55.2 } })), null],
  ["an ack", nodeTopic("lift-001", "ack"), encodeMessage(ack), null],
  ["hold-end without releasedBy", eventTopic, JSON.stringify({ ...holdEnd, releasedBy: undefined }), "invalid-field"],
  ["unknown releasedBy", eventTopic, JSON.stringify({ ...holdEnd, releasedBy: "magic" }), "invalid-field"],
  ["a capsule event name on an elevator", eventTopic, encodeMessage(elevatorEvent("lift-001", 2, "aed-removed")), "invalid-field"],
  ["lock neither held nor released", eventTopic, JSON.stringify({ ...holdEnd, state: { ...elevatorState, lock: "ajar" } }), "invalid-field"],
  ["state of no known kind", eventTopic, JSON.stringify({ ...holdEnd, state: { kind: "toaster" } }), "invalid-field"],
  ["display with a control character", nodeTopic("cap-001", "event"), encodeMessage(capsuleEvent("cap-001", 3, "display-set", { display: "a\nb" })), "invalid-field"],
  ["negative duration", eventTopic, JSON.stringify({ ...holdEnd, durationMs: -1 }), "invalid-field"],
  ["a cause that is not a short word", eventTopic, JSON.stringify({ ...holdEnd, cause: "Reset!" }), "invalid-field"],
  ["counts that are not counts", eventTopic, JSON.stringify({ ...dailyCounts, data: { blockedAttempts: 1.5 } }), "invalid-field"],
  ["an event on the alarm channel", nodeTopic("lift-001", "alarm"), encodeMessage(holdEnd), "topic-mismatch"],
  ["an ack without a result", nodeTopic("lift-001", "ack"), JSON.stringify({ ...ack, result: undefined }), "invalid-field"],
  ["an ack with a bad command id", nodeTopic("lift-001", "ack"), JSON.stringify({ ...ack, command: "no spaces please" }), "invalid-field"],
];

const command = (id: string, body: object) => JSON.stringify({ v: 1, type: "command", id, node: "lift-001", ...body });
const typed = (c: CommandMessage) => encodeCommand(c);

/** [name, text, ok]: commands as lift-001 receives them on its own `cmd` topic. */
export const commandTopic = nodeTopic("lift-001", "cmd");
export const commandCases: Array<[string, string, boolean]> = [
  ["enable", typed({ v: 1, type: "command", id: "c-1", node: "lift-001", op: "enable" }), true],
  ["disable", typed({ v: 1, type: "command", id: "c-1b", node: "lift-001", op: "disable" }), true],
  ["self-test", typed({ v: 1, type: "command", id: "c-1c", node: "lift-001", op: "self-test" }), true],
  ["display in Chinese", typed({ v: 1, type: "command", id: "c-2", node: "lift-001", op: "display", text: "电动车请勿进电梯" }), true],
  ["not JSON", "{", false],
  ["unknown op", command("c-3", { op: "explode" }), false],
  ["display too long", command("c-4", { op: "display", text: "x".repeat(65) }), false],
  ["display with a quote", command("c-5", { op: "display", text: 'a"b' }), false],
  ["display on two lines", command("c-5b", { op: "display", text: "a\nb" }), false],
  ["wrong version", JSON.stringify({ v: 2, type: "command", id: "c-6", node: "lift-001", op: "enable" }), false],
  ["no id", JSON.stringify({ v: 1, type: "command", node: "lift-001", op: "enable" }), false],
  ["for another node", command("c-7", { op: "disable", node: "lift-002" }), false],
];
