import { decodeCommand } from "../../shared/codec";
import type { AckResult, CommandMessage } from "../../shared/messages";
import type { Log } from "../ports/log";
import type { Uplink } from "./uplink";

/** A handler's answer when the ack should say more than done or refused: what it found or did. */
export interface CommandReply {
  result: AckResult;
  /** For a person to read; cut to 200 characters. */
  detail: string;
}

/** null: done; a string: refused for that reason, and nothing changed; a reply: that result and detail. */
export type HandlerAnswer = null | string | CommandReply;

/**
 * What a node kind can do when told. A kind leaves out what it has no hardware for, and the
 * command is refused.
 */
export interface CommandHandlers {
  config?(changes: Record<string, number>): HandlerAnswer;
  relayTest?(durationMs: number): HandlerAnswer;
  display?(text: string): HandlerAnswer;
  /** Elevator lock: hold cars with an e-bike again, or stop holding them (a hold under way is released). */
  enable?(): HandlerAnswer;
  disable?(): HandlerAnswer;
  /** Checks the node's inputs and outputs; `failed` with what is wrong when a check does not pass. */
  selfTest?(): HandlerAnswer;
  /** Restarts the node; called after the ack is in the outbox, which outlives the restart. */
  reboot?(): void;
}

const REMEMBERED = 8;

/** What a command came to: the ack's body. */
export interface Outcome {
  id: string;
  op: string;
  result: AckResult;
  detail?: string;
}

/**
 * Commands from the cloud on the node's own `cmd` topic. Each gets exactly one ack with its
 * result: `ok`, `refused` (malformed, for another node, not supported, or a bad value — nothing
 * changed) or `failed` (it threw, or a self-test found a fault). A command redelivered with the
 * same id (QoS 1 may do that) is acked again with the first result, not carried out twice.
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

  /** Carries out (or refuses) one command and acks it; returns what the ack said. */
  receive(topic: string, payload: string): Outcome {
    const decoded = decodeCommand(topic, payload, this.#nodeId);
    if (!decoded.ok) {
      this.#log("warn", `command refused (${decoded.reason}): ${decoded.detail}`);
      const refusal: Outcome = { id: decoded.id, op: decoded.op, result: "refused", detail: `${decoded.reason}: ${decoded.detail}` };
      this.#ack(refusal);
      return refusal;
    }
    const command = decoded.command;
    const earlier = this.#recent.find((outcome) => outcome.id === command.id);
    if (earlier) {
      this.#ack(earlier);
      return earlier;
    }
    const outcome = this.#carryOut(command);
    this.#recent.push(outcome);
    if (this.#recent.length > REMEMBERED) this.#recent.shift();
    this.#log(outcome.result === "ok" ? "info" : "warn", `command ${command.id} (${command.op}): ${outcome.result}${outcome.detail ? ` — ${outcome.detail}` : ""}`);
    this.#ack(outcome);
    if (command.op === "reboot" && outcome.result === "ok") this.#handlers.reboot?.();
    return outcome;
  }

  #carryOut(command: CommandMessage): Outcome {
    const { id, op } = command;
    const handlers = this.#handlers;
    const done = (answer: HandlerAnswer): Outcome =>
      answer === null
        ? { id, op, result: "ok" }
        : typeof answer === "string"
          ? { id, op, result: "refused", detail: answer }
          : { id, op, result: answer.result, detail: answer.detail.slice(0, 200) };
    try {
      switch (command.op) {
        case "config":
          return done(handlers.config ? handlers.config(command.config) : "this node takes no config changes");
        case "relay-test":
          return done(handlers.relayTest ? handlers.relayTest(command.durationMs) : "this node has no relay");
        case "display":
          return done(handlers.display ? handlers.display(command.text) : "this node has no display");
        case "enable":
          return done(handlers.enable ? handlers.enable() : "this node has no lock to enable or disable");
        case "disable":
          return done(handlers.disable ? handlers.disable() : "this node has no lock to enable or disable");
        case "self-test":
          return done(handlers.selfTest ? handlers.selfTest() : "this node has no self-test");
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
