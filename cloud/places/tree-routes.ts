import { Hono } from "hono";
import type { Db } from "../db/client";
import { loadViewer, type ViewerVariables } from "../staff/load-viewer";
import { placeTree } from "./tree";

/**
 * `GET /api/place-tree`: street → community → compound → building with open incidents and
 * offline nodes counted at each level, for the console's place filter. Its own path (not under
 * /api/places, whose routes are admin-only) because every staff member needs it.
 */
export function placeTreeRoutes(deps: { db: Db }) {
  const app = new Hono<{ Variables: ViewerVariables }>();
  app.use("*", loadViewer(deps.db));
  app.get("/", async (c) => c.json({ places: await placeTree(deps.db, c.get("viewer")) }));
  return app;
}
