import { Hono } from "hono";
import { z } from "zod";
import { requireAdmin } from "../auth/require-admin";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { valid } from "../http/validate";
import { actorOf } from "../staff/viewer";
import { closeRoutingGap, listRoutingGaps } from "./gaps";

/**
 * Rounds that reached nobody, for the admin to mend (admin only: the detail names people and
 * what each lacked). `?all=true` includes the ones already marked mended.
 */
export function routingGapRoutes(deps: { db: Db; now: () => number }) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use("*", requireAdmin());

  app.get("/", valid("query", z.object({ all: z.enum(["true", "false"]).optional() }).strict()), async (c) => {
    const gaps = await listRoutingGaps(deps.db, { all: c.req.valid("query").all === "true" });
    return c.json({ gaps, open: gaps.filter((g) => g.closedAt === null).length });
  });

  app.post("/:id/close", async (c) => {
    const closed = await closeRoutingGap(deps.db, Number(c.req.param("id")), actorOf(c.get("owner")), deps.now());
    return closed ? c.json({ ok: true }) : c.json({ error: "not-found", message: "No open routing gap with that id." }, 404);
  });
  return app;
}
