import { Hono, type Context } from "hono";
import { isNodeId } from "../../shared/protocol";
import { places } from "../db/schema";
import { scopeCondition } from "../places/scope";
import { loadViewer, type ViewerVariables } from "../staff/load-viewer";
import type { Db } from "../db/client";
import { placeFilter } from "../places/path";
import { addSupply, capsuleExists, expiringSupplies, listSupplies, removeSupply, updateSupply } from "./queries";
import { checkSupply } from "./supply";

type Deps = { db: Db; now: () => number };

/** `/api/capsules/:nodeId/supplies`: a capsule's inventory, read and kept up to date by staff. */
export function capsuleSupplyRoutes(deps: Deps) {
  const { db, now } = deps;
  const app = new Hono<{ Variables: ViewerVariables }>();

  app.get("/", async (c) => {
    const capsuleId = await knownCapsule(c, db);
    if (typeof capsuleId !== "string") return capsuleId;
    return c.json({ supplies: await listSupplies(db, capsuleId) });
  });

  app.post("/", async (c) => {
    const capsuleId = await knownCapsule(c, db);
    if (typeof capsuleId !== "string") return capsuleId;
    const checked = checkSupply(await jsonBody(c), false);
    if (!checked.ok) return c.json({ error: "invalid-supply", message: checked.problems.join("; "), problems: checked.problems }, 400);
    return c.json({ supply: await addSupply(db, capsuleId, checked.value, now()) }, 201);
  });

  app.patch("/:id", async (c) => {
    const capsuleId = await knownCapsule(c, db);
    if (typeof capsuleId !== "string") return capsuleId;
    const id = supplyId(c.req.param("id"));
    if (id === null) return c.json({ error: "bad-request", message: "the supply id must be a positive whole number" }, 400);
    const checked = checkSupply(await jsonBody(c), true);
    if (!checked.ok) return c.json({ error: "invalid-supply", message: checked.problems.join("; "), problems: checked.problems }, 400);
    const supply = await updateSupply(db, capsuleId, id, checked.value, now());
    if (!supply) return c.json({ error: "not-found", message: `capsule ${capsuleId} has no supply ${id}` }, 404);
    return c.json({ supply });
  });

  app.delete("/:id", async (c) => {
    const capsuleId = await knownCapsule(c, db);
    if (typeof capsuleId !== "string") return capsuleId;
    const id = supplyId(c.req.param("id"));
    if (id === null) return c.json({ error: "bad-request", message: "the supply id must be a positive whole number" }, 400);
    if (!(await removeSupply(db, capsuleId, id))) return c.json({ error: "not-found", message: `capsule ${capsuleId} has no supply ${id}` }, 404);
    return c.body(null, 204);
  });

  return app;
}

/** `/api/supplies/expiring?days=30&place=` (or `?month=this`): what must be replaced soon, across capsules. */
export function supplyRoutes(deps: Deps) {
  const { db, now } = deps;
  const app = new Hono<{ Variables: ViewerVariables }>();
  app.get("/expiring", loadViewer(db), async (c) => {
    const daysText = c.req.query("days");
    // `?month=this`: everything expiring by the end of this calendar month (UTC), and what has expired.
    const days = c.req.query("month") === "this" ? daysToMonthEnd(now()) : daysText === undefined ? 30 : Number(daysText);
    if (!(Number.isInteger(days) && days >= 0 && days <= 3650)) return c.json({ error: "bad-request", message: "days must be a whole number from 0 to 3650" }, 400);
    const filter = await placeFilter(db, c.req.query("place"));
    if ("status" in filter) return c.json({ error: filter.status === 400 ? "bad-request" : "not-found", message: filter.message }, filter.status);
    return c.json({ days, supplies: await expiringSupplies(db, now(), days, filter.placePath, scopeCondition(c.get("viewer"), places.path)) });
  });
  return app;
}

function daysToMonthEnd(nowMs: number): number {
  const today = new Date(nowMs);
  const monthEnd = Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0);
  return Math.round((monthEnd - Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())) / 86_400_000);
}

async function knownCapsule(c: Context, db: Db): Promise<string | Response> {
  const capsuleId = c.req.param("nodeId") ?? "";
  if (!isNodeId(capsuleId)) return c.json({ error: "bad-request", message: "that is not a valid node id" }, 400);
  if (!(await capsuleExists(db, capsuleId))) {
    return c.json({ error: "not-found", message: `no capsule ${capsuleId}: a capsule is known once its node has reported` }, 404);
  }
  return capsuleId;
}

function supplyId(text: string | undefined): number | null {
  const id = Number(text);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}
