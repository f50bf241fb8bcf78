import { Hono } from "hono";
import { isNodeId } from "../../shared/protocol";
import { nodeScope } from "../nodes/node-scope";
import { scopeCondition } from "../places/scope";
import { places } from "../db/schema";
import { loadViewer, type ViewerVariables } from "../staff/load-viewer";
import type { Db } from "../db/client";
import { eventHistory } from "../events/history-route";
import { placeFilter } from "../places/path";
import { capsuleSupplyRoutes } from "../supplies/routes";
import { listCapsules } from "./queries";

export function capsuleRoutes(deps: { db: Db; now: () => number }) {
  const { db } = deps;
  const app = new Hono<{ Variables: ViewerVariables }>();

  /** Every capsule's doors, AED, cabinet temperature, supply and display; `?place=` keeps those inside a place. */
  app.get("/", loadViewer(db), async (c) => {
    const filter = await placeFilter(db, c.req.query("place"));
    if ("status" in filter) return c.json({ error: filter.status === 400 ? "bad-request" : "not-found", message: filter.message }, filter.status);
    return c.json({ capsules: await listCapsules(db, { ...filter, scope: scopeCondition(c.get("viewer"), places.path) }) });
  });

  app.use("/:nodeId", nodeScope(db, "nodeId"));
  app.use("/:nodeId/*", nodeScope(db, "nodeId"));

  app.get("/:nodeId", async (c) => {
    const nodeId = c.req.param("nodeId");
    if (!isNodeId(nodeId)) return c.json({ error: "bad-request", message: "that is not a valid node id" }, 400);
    const [capsule] = await listCapsules(db, { nodeId });
    if (!capsule) return c.json({ error: "not-found", message: `no capsule ${nodeId}` }, 404);
    return c.json({ capsule });
  });

  app.get("/:nodeId/events", (c) => eventHistory(c, db, async (nodeId) => (await listCapsules(db, { nodeId })).length > 0));
  app.route("/:nodeId/supplies", capsuleSupplyRoutes(deps));
  return app;
}
