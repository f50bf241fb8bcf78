import { Hono } from "hono";
import { z } from "zod";
import { isNodeId } from "../../shared/protocol";
import { nodeScope } from "../nodes/node-scope";
import { scopeCondition } from "../places/scope";
import { places } from "../db/schema";
import { loadViewer, type ViewerVariables } from "../staff/load-viewer";
import type { Db } from "../db/client";
import { eventHistory } from "../events/history-route";
import { placeFilter } from "../places/path";
import { valid } from "../http/validate";
import { countElevators, listElevators } from "./queries";

const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** `GET /api/elevators` query: the board pages on the server, so a fleet of thousands of locks stays quick. */
const elevatorListQuery = z.object({
  place: z.string().optional(),
  sort: z.enum(["id", "attention"]).default("id"),
  limit: whole(1, 5000).default(5000),
  offset: whole(0, 1_000_000).default(0),
});

export function elevatorRoutes(deps: { db: Db }) {
  const { db } = deps;
  const app = new Hono<{ Variables: ViewerVariables }>();

  /**
   * Every elevator lock's current state; `?place=` keeps those inside a place (a community, a
   * building); `?sort=attention` puts held cars, lost detectors, disabled locks and offline nodes
   * first; `?limit=&offset=` page it, `total` counting all pages.
   */
  app.get("/", loadViewer(db), valid("query", elevatorListQuery), async (c) => {
    const query = c.req.valid("query");
    const filter = await placeFilter(db, query.place);
    if ("status" in filter) return c.json({ error: filter.status === 400 ? "bad-request" : "not-found", message: filter.message }, filter.status);
    const scoped = { ...filter, scope: scopeCondition(c.get("viewer"), places.path) };
    const [elevators, total] = await Promise.all([listElevators(db, { ...scoped, sort: query.sort, limit: query.limit, offset: query.offset }), countElevators(db, scoped)]);
    return c.json({ elevators, total, limit: query.limit, offset: query.offset });
  });

  app.use("/:nodeId", nodeScope(db, "nodeId"));
  app.use("/:nodeId/*", nodeScope(db, "nodeId"));

  app.get("/:nodeId", async (c) => {
    const nodeId = c.req.param("nodeId");
    if (!isNodeId(nodeId)) return c.json({ error: "bad-request", message: "that is not a valid node id" }, 400);
    const [elevator] = await listElevators(db, { nodeId });
    if (!elevator) return c.json({ error: "not-found", message: `no elevator ${nodeId}` }, 404);
    return c.json({ elevator });
  });

  /** Holds, releases, overrides, detector faults and daily counts, newest first. */
  app.get("/:nodeId/events", (c) => eventHistory(c, db, async (nodeId) => (await listElevators(db, { nodeId })).length > 0));

  return app;
}
