import { asc } from "drizzle-orm";
import { Hono } from "hono";
import type { Db } from "../db/client";
import { places } from "../db/schema";
import { loadViewer, type ViewerVariables } from "../staff/load-viewer";
import { scopeCondition } from "./scope";

/** `GET /api/places`: the places a viewer may see (all for an admin), in path order, for pickers and filters. */
export function placeListRoutes(deps: { db: Db }) {
  const app = new Hono<{ Variables: ViewerVariables }>();
  app.get("/", loadViewer(deps.db), async (c) => {
    const rows = await deps.db
      .select({ id: places.id, parentId: places.parentId, level: places.level, name: places.name, path: places.path })
      .from(places)
      .where(scopeCondition(c.get("viewer"), places.path))
      .orderBy(asc(places.path))
      .limit(10_000);
    return c.json({ places: rows });
  });
  return app;
}
