import type { Context } from "hono";
import { isNodeId } from "../../shared/protocol";
import type { Db } from "../db/client";
import { listEvents } from "./queries";

/**
 * `GET …/:nodeId/events?before=&limit=`: a device's events, newest first, paged by id: the same
 * history as `/api/nodes/:id/events`, under the device's own path.
 * `exists` says whether the device is known, so an unknown one is a 404 rather than an empty list.
 */
export async function eventHistory(c: Context, db: Db, exists: (nodeId: string) => Promise<boolean>): Promise<Response> {
  const nodeId = c.req.param("nodeId") ?? "";
  if (!isNodeId(nodeId)) return c.json({ error: "bad-request", message: "that is not a valid node id" }, 400);
  const before = c.req.query("before");
  const limit = c.req.query("limit");
  const beforeId = before === undefined ? undefined : Number(before);
  if (beforeId !== undefined && !(Number.isSafeInteger(beforeId) && beforeId > 0)) {
    return c.json({ error: "bad-request", message: "before must be a positive event id" }, 400);
  }
  const limitCount = limit === undefined ? 100 : Number(limit);
  if (!(Number.isInteger(limitCount) && limitCount >= 1 && limitCount <= 500)) {
    return c.json({ error: "bad-request", message: "limit must be a whole number from 1 to 500" }, 400);
  }
  if (!(await exists(nodeId))) return c.json({ error: "not-found", message: `no device ${nodeId}` }, 404);
  return c.json({ events: await listEvents(db, nodeId, { before: beforeId, limit: limitCount }) });
}
