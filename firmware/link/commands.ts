import { decodeCommand, type NodeCommand } from "../../shared/commands";
import { nodeTopic } from "../../shared/topics";
import type { Log } from "../ports/log";
import type { MqttSession } from "../ports/mqtt";
import type { Uplink } from "./uplink";

export interface CommandResult {
  ok: boolean;
  /** What happened, for a person to read (at most 200 characters). */
  detail: string;
}

/** A node kind's command handlers: typed in, typed out, no I/O of their own. */
export type CommandHandler = (command: NodeCommand) => CommandResult;

const REMEMBERED = 8;

/**
 * The node's end of the command channel: subscribes to its own `…/cmd` topic on every connect
 * (sessions are clean), decodes each command, runs the handler and publishes the ack. A command
 * the broker delivers again (QoS 1 redelivery) is acked again with the first result and not
 * run twice. Malformed commands are acked as refused when they carry a readable id, and only
 * logged otherwise: there is nobody to answer.
 */
export function attachCommands(options: { mqtt: MqttSession; uplink: Uplink; log: Log; handle: CommandHandler }): void {
  const { mqtt, uplink, log, handle } = options;
  const topic = nodeTopic(uplink.nodeId, "cmd");
  const ids: string[] = [];
  const results: CommandResult[] = [];
  const names: string[] = [];

  const connected = mqtt.onConnected;
  mqtt.onConnected = () => {
    connected();
    mqtt.subscribe(topic);
  };
  mqtt.onMessage = (from, payload) => {
    if (from !== topic) return;
    const decoded = decodeCommand(payload);
    if (!decoded.ok) {
      log("warn", `command refused: ${decoded.detail}`);
      if (decoded.id) uplink.ack({ id: decoded.id, command: "unknown", ok: false, detail: decoded.detail });
      return;
    }
    const command = decoded.command;
    const seen = ids.indexOf(command.id);
    if (seen >= 0) {
      uplink.ack({ id: command.id, command: names[seen], ok: results[seen].ok, detail: results[seen].detail });
      return;
    }
    let result: CommandResult;
    try {
      result = handle(command);
    } catch (error) {
      result = { ok: false, detail: `failed: ${String((error as Error)?.message ?? error)}`.slice(0, 200) };
    }
    if (ids.length === REMEMBERED) {
      ids.shift();
      results.shift();
      names.shift();
    }
    ids.push(command.id);
    results.push(result);
    names.push(command.command);
    log("info", `command ${command.command} (${command.id}): ${result.ok ? "ok" : "refused"}, ${result.detail}`);
    uplink.ack({ id: command.id, command: command.command, ok: result.ok, detail: result.detail.slice(0, 200) });
  };
}
