import { Hono } from "hono";
import { requireAdmin } from "../auth/require-admin";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { isLatLon, setPlaceLocation } from "./locations";
import { placeExists } from "../reports/queries";

/** `PUT /api/places/:id/location {latitude, longitude}` (admin): puts a place on the map for reports by coordinates. */
export function placeLocationRoutes(deps: { db: Db }) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.put("/:id/location", requireAdmin(), async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { latitude?: unknown; longitude?: unknown };
    if (!isLatLon(body)) return c.json({ error: "invalid-field", message: "latitude (−90…90) and longitude (−180…180) are required, in degrees" }, 422);
    if (!(await placeExists(deps.db, c.req.param("id")))) return c.json({ error: "not-found", message: `No place "${c.req.param("id")}".` }, 404);
    await setPlaceLocation(deps.db, c.req.param("id"), body);
    return c.json({ placeId: c.req.param("id"), latitude: body.latitude, longitude: body.longitude });
  });
  return app;
}
