import { Hono } from "hono";
import { isNodeId } from "../../shared/protocol";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { sseRelay } from "../http/sse-relay";
import type { AlarmFeed } from "./alarm-feed";
import { listAlarms } from "./queries";


export function alarmRoutes(deps: { db: Db; feed: AlarmFeed }) {
  const { db, feed } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();

  /** Newest first; `?node=` filters, `?before=<id>` pages, `?limit=` 1–500 (default 100). */
  app.get("/", async (c) => {
    const node = c.req.query("node");
    const before = c.req.query("before");
    const limit = c.req.query("limit");
    if (node !== undefined && !isNodeId(node)) return c.json({ error: "bad-request", message: "node is not a valid node id" }, 400);
    const beforeId = before === undefined ? undefined : Number(before);
    if (beforeId !== undefined && !(Number.isSafeInteger(beforeId) && beforeId > 0)) {
      return c.json({ error: "bad-request", message: "before must be a positive alarm id" }, 400);
    }
    const limitCount = limit === undefined ? 100 : Number(limit);
    if (!(Number.isInteger(limitCount) && limitCount >= 1 && limitCount <= 500)) {
      return c.json({ error: "bad-request", message: "limit must be a whole number from 1 to 500" }, 400);
    }
    const alarms = await listAlarms(db, { nodeId: node, before: beforeId, limit: limitCount });
    return c.json({ alarms });
  });

  /** Server-sent events: one `alarm` event per newly stored alarm, and a comment every 15 s to keep proxies from closing it. */
  app.get("/stream", (c) =>
    sseRelay(c, (send) => feed.subscribe((alarm) => send({ event: "alarm", id: String(alarm.id), data: JSON.stringify(alarm) }))),
  );

  return app;
}
