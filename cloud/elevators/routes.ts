import { Hono } from "hono";
import { isNodeId } from "../../shared/protocol";
import { nodeScope } from "../nodes/node-scope";
import { scopeCondition } from "../places/scope";
import { places } from "../db/schema";
import { loadViewer, type ViewerVariables } from "../staff/load-viewer";
import type { Db } from "../db/client";
import { eventHistory } from "../events/history-route";
import { placeFilter } from "../places/path";
import { listElevators } from "./queries";

export function elevatorRoutes(deps: { db: Db }) {
  const { db } = deps;
  const app = new Hono<{ Variables: ViewerVariables }>();

  /** Every elevator lock's current state; `?place=` keeps those inside a place (a community, a building). */
  app.get("/", loadViewer(db), async (c) => {
    const filter = await placeFilter(db, c.req.query("place"));
    if ("status" in filter) return c.json({ error: filter.status === 400 ? "bad-request" : "not-found", message: filter.message }, filter.status);
    return c.json({ elevators: await listElevators(db, { ...filter, scope: scopeCondition(c.get("viewer"), places.path) }) });
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
