import { Hono } from "hono";
import { randomUUID } from "node:crypto";
import { decodeCommand, encodeCommand, isCommandId } from "../../shared/codec";
import type { CommandMessage } from "../../shared/messages";
import { isNodeId } from "../../shared/protocol";
import { nodeTopic } from "../../shared/topics";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { getNode } from "../nodes/list-queries";
import type { CommandPublisher } from "./publisher";
import { getCommand, insertCommand, listCommands, markCommandUnsent } from "./queries";

/**
 * Commands to one node: `POST` sends one (`{ op: "config", config: { telemetryIntervalMs: 30000 } }`,
 * `{ op: "relay-test", durationMs }`, `{ op: "reboot" }`, `{ op: "display", text }`, `{ op: "enable" }`,
 * `{ op: "disable" }`, `{ op: "self-test" }`) and answers 202
 * with its id; the node's ack later settles its status to ok, refused or failed.
 */
export function commandRoutes(deps: { db: Db; commands: CommandPublisher; now: () => number }) {
  const { db, now } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();

  app.post("/", async (c) => {
    const nodeId = c.req.param("id") ?? "";
    if (!isNodeId(nodeId)) return c.json({ error: "bad-request", message: "not a valid node id" }, 400);
    if (!(await getNode(db, nodeId))) return c.json({ error: "not-found", message: `no node "${nodeId}"` }, 404);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "bad-request", message: "the body must be a JSON object such as {\"op\":\"reboot\"}" }, 400);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return c.json({ error: "bad-request", message: "the body must be a JSON object such as {\"op\":\"reboot\"}" }, 400);
    }
    // The envelope is the cloud's to set; the caller gives the op and its arguments.
    const args: Record<string, unknown> = { ...body };
    for (const envelope of ["v", "type", "id", "node"]) delete args[envelope];
    const command = { ...args, v: 1, type: "command", id: randomUUID(), node: nodeId } as unknown as CommandMessage;
    const topic = nodeTopic(nodeId, "cmd");
    const payload = encodeCommand(command);
    // The node's own check, here first: a command it would refuse is not sent.
    const checked = decodeCommand(topic, payload, nodeId);
    if (!checked.ok) return c.json({ error: "bad-request", message: checked.detail }, 400);
    delete args.op;
    const record = await insertCommand(
      db,
      { id: command.id, nodeId, op: command.op, args: Object.keys(args).length ? args : null, createdBy: c.get("owner")?.name ?? null },
      now(),
    );
    try {
      await deps.commands.publish(topic, payload);
    } catch (error) {
      await markCommandUnsent(db, record.id, (error as Error).message);
      return c.json({ error: "unavailable", message: `the command could not be sent: ${(error as Error).message}` }, 503);
    }
    return c.json({ command: record }, 202);
  });

  app.get("/", async (c) => {
    const nodeId = c.req.param("id") ?? "";
    if (!isNodeId(nodeId)) return c.json({ error: "bad-request", message: "not a valid node id" }, 400);
    return c.json({ commands: await listCommands(db, nodeId, 100) });
  });

  app.get("/:commandId", async (c) => {
    const nodeId = c.req.param("id") ?? "";
    const commandId = c.req.param("commandId");
    if (!isNodeId(nodeId) || !isCommandId(commandId)) return c.json({ error: "bad-request", message: "not a valid node or command id" }, 400);
    const command = await getCommand(db, nodeId, commandId);
    return command ? c.json({ command }) : c.json({ error: "not-found", message: `no command "${commandId}" for ${nodeId}` }, 404);
  });

  return app;
}
