import { desc } from "drizzle-orm";
import { Hono } from "hono";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { nodes } from "../db/schema";

export function nodeRoutes(deps: { db: Db }) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get("/", async (c) => {
    const rows = await deps.db.select().from(nodes).orderBy(desc(nodes.lastSeenAt)).limit(1000);
    return c.json({
      nodes: rows.map((row) => ({
        id: row.id,
        online: row.online,
        firmware: row.firmware,
        bootId: row.bootId,
        readings: row.readings ? (JSON.parse(row.readings) as Record<string, number>) : null,
        firstSeenAt: new Date(row.firstSeenAt).toISOString(),
        lastSeenAt: new Date(row.lastSeenAt).toISOString(),
      })),
    });
  });
  return app;
}
