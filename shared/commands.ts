import { displayTextProblem, isCommandId } from "./events";
import { PROTOCOL_VERSION } from "./protocol";

/**
 * Commands the cloud sends a node on `sw/v1/node/<id>/cmd` (QoS 1). Each carries an id the node
 * echoes in its ack, so the cloud can match the answer and the node can recognise a redelivery.
 */
export const COMMANDS = ["enable", "disable", "self-test", "set-display"] as const;
export type CommandName = (typeof COMMANDS)[number];

export type NodeCommand =
  | { v: 1; id: string; command: "enable" | "disable" | "self-test" }
  | { v: 1; id: string; command: "set-display"; text: string };

export type CommandDecodeResult = { ok: true; command: NodeCommand } | { ok: false; id: string | null; detail: string };

export function encodeCommand(command: NodeCommand): string {
  return JSON.stringify(command);
}

/** Never throws: a malformed command comes back with the reason, and its id when one could be read. */
export function decodeCommand(text: string): CommandDecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, id: null, detail: "command is not JSON" };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { ok: false, id: null, detail: "command is not a JSON object" };
  const m = raw as Record<string, unknown>;
  const id = isCommandId(m.id) ? m.id : null;
  if (m.v !== PROTOCOL_VERSION) return { ok: false, id, detail: `version must be ${PROTOCOL_VERSION}` };
  if (!id) return { ok: false, id: null, detail: "id must be 1–40 characters of A–Z, a–z, 0–9, '-' and '_'" };
  const name = m.command;
  if (typeof name !== "string" || !(COMMANDS as readonly string[]).includes(name)) {
    return { ok: false, id, detail: `command must be one of ${COMMANDS.join(", ")}` };
  }
  if (name === "set-display") {
    const problem = displayTextProblem(m.text);
    if (problem) return { ok: false, id, detail: problem };
    return { ok: true, command: { v: 1, id, command: "set-display", text: m.text as string } };
  }
  return { ok: true, command: { v: 1, id, command: name as "enable" | "disable" | "self-test" } };
}
