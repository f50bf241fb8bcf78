import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { isNodeId } from "../../shared/protocol";
import type { Db } from "../db/client";
import { nodes, places } from "../db/schema";
import { loadViewer, type ViewerVariables } from "../staff/load-viewer";
import { canSee } from "../staff/viewer";

/**
 * Loads the viewer and, on a route naming one node (`:id` or `:nodeId`), refuses a staff member
 * whose places do not hold that node: 403, the same answer whether or not the node exists, so a
 * crew cannot probe another community's fleet. Admins pass; the handler answers 404 for them.
 */
export function nodeScope(db: Db, param: "id" | "nodeId"): MiddlewareHandler<{ Variables: ViewerVariables }> {
  const viewer = loadViewer(db);
  return async (c, next) =>
    viewer(c, async () => {
      const v = c.get("viewer");
      const nodeId = c.req.param(param);
      if (v.kind === "admin" || nodeId === undefined) return next();
      const [row] = isNodeId(nodeId)
        ? await db.select({ path: places.path }).from(nodes).leftJoin(places, eq(places.id, nodes.placeId)).where(eq(nodes.id, nodeId))
        : [];
      if (!row || !canSee(v, row.path)) {
        c.res = c.json({ error: "forbidden", message: "That node is outside your places." }, 403);
        return;
      }
      await next();
    });
}
