import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { isNodeId } from "../../shared/protocol";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import type { AlarmFeed } from "./alarm-feed";
import type { AlarmRecord } from "./alarm-record";
import { listAlarms } from "./queries";

const HEARTBEAT_MS = 15_000;

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
    streamSSE(c, async (stream) => {
      const queue: AlarmRecord[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = feed.subscribe((alarm) => {
        queue.push(alarm);
        wake?.();
      });
      let open = true;
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      const heartbeat = setInterval(() => void stream.write(": keep-alive\n\n"), HEARTBEAT_MS);
      try {
        await stream.writeSSE({ event: "ready", data: "{}" });
        while (open) {
          const alarm = queue.shift();
          if (alarm) {
            await stream.writeSSE({ event: "alarm", id: String(alarm.id), data: JSON.stringify(alarm) });
            continue;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
        }
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
      }
    }),
  );

  return app;
}
