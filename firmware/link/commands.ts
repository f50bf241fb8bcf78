import { decodeCommand } from "../../shared/codec";
import type { AckResult, CommandMessage } from "../../shared/messages";
import type { Log } from "../ports/log";
import type { Uplink } from "./uplink";

/**
 * What a node kind can do when told. Each returns null when done, or why it refused (and then it
 * changed nothing). A kind leaves out what it has no hardware for, and the command is refused.
 */
export interface CommandHandlers {
  config?(changes: Record<string, number>): string | null;
  relayTest?(durationMs: number): string | null;
  display?(text: string): string | null;
  /** Restarts the node; called after the ack is in the outbox, which outlives the restart. */
  reboot?(): void;
}

const REMEMBERED = 8;

interface Outcome {
  id: string;
  op: string;
  result: AckResult;
  detail?: string;
}

/**
 * Commands from the cloud on the node's own `cmd` topic. Each gets exactly one ack with its
 * result: `ok`, `refused` (malformed, for another node, not supported, or a bad value — nothing
 * changed) or `failed` (it threw). A command redelivered with the same id (QoS 1 may do that) is
 * acked again with the first result, not carried out twice.
 */
export class CommandInbox {
  #nodeId: string;
  #uplink: Uplink;
  #handlers: CommandHandlers;
  #log: Log;
  #recent: Outcome[] = [];

  constructor(options: { nodeId: string; uplink: Uplink; handlers: CommandHandlers; log: Log }) {
    this.#nodeId = options.nodeId;
    this.#uplink = options.uplink;
    this.#handlers = options.handlers;
    this.#log = options.log;
  }

  receive(topic: string, payload: string): void {
    const decoded = decodeCommand(topic, payload, this.#nodeId);
    if (!decoded.ok) {
      this.#log("warn", `command refused (${decoded.reason}): ${decoded.detail}`);
      this.#ack({ id: decoded.id, op: decoded.op, result: "refused", detail: `${decoded.reason}: ${decoded.detail}` });
      return;
    }
    const command = decoded.command;
    const earlier = this.#recent.find((outcome) => outcome.id === command.id);
    if (earlier) {
      this.#ack(earlier);
      return;
    }
    const outcome = this.#carryOut(command);
    this.#recent.push(outcome);
    if (this.#recent.length > REMEMBERED) this.#recent.shift();
    this.#log(outcome.result === "ok" ? "info" : "warn", `command ${command.id} (${command.op}): ${outcome.result}${outcome.detail ? ` — ${outcome.detail}` : ""}`);
    this.#ack(outcome);
    if (command.op === "reboot" && outcome.result === "ok") this.#handlers.reboot?.();
  }

  #carryOut(command: CommandMessage): Outcome {
    const { id, op } = command;
    const handlers = this.#handlers;
    const done = (refusal: string | null): Outcome => (refusal === null ? { id, op, result: "ok" } : { id, op, result: "refused", detail: refusal });
    try {
      switch (command.op) {
        case "config":
          return handlers.config ? done(handlers.config(command.config)) : done("this node takes no config changes");
        case "relay-test":
          return handlers.relayTest ? done(handlers.relayTest(command.durationMs)) : done("this node has no relay");
        case "display":
          return handlers.display ? done(handlers.display(command.text)) : done("this node has no display");
        case "reboot":
          return handlers.reboot ? { id, op, result: "ok", detail: "restarting" } : done("this node cannot restart itself");
      }
    } catch (error) {
      return { id, op, result: "failed", detail: String((error as Error)?.message ?? error).slice(0, 200) };
    }
  }

  #ack(outcome: Outcome): void {
    this.#uplink.ack({
      command: outcome.id,
      op: outcome.op,
      result: outcome.result,
      ...(outcome.detail === undefined ? {} : { detail: outcome.detail.slice(0, 200) }),
    });
  }
}
