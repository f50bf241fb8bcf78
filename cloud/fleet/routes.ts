import { Hono, type Context } from "hono";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { deviceRow, installDevice } from "./devices";
import { FleetError } from "./fleet-error";

/**
 * Installation, for community staff: look a device up by serial or by its scanned label, and
 * put a claimed device in its place.
 *
 *   GET  /api/fleet/devices/:device          `:device` is a serial, a MAC or a label's QR payload
 *   POST /api/fleet/installations            `{ "device": "<serial or label>", "placeId": "bd-1" }`
 */
export function fleetRoutes(deps: { db: Db }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get("/devices/:device", (c) => answer(c, () => deviceRow(deps.db, c.req.param("device"))));

  app.post("/installations", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "bad-request", message: 'Send JSON: { "device": "<serial or label>", "placeId": "<place id>" }.' }, 400);
    }
    const { device, placeId } = (body ?? {}) as { device?: unknown; placeId?: unknown };
    if (typeof device !== "string" || typeof placeId !== "string") {
      return c.json({ error: "bad-request", message: "device (serial or label) and placeId must both be strings" }, 400);
    }
    return answer(c, () => installDevice(deps.db, device, placeId));
  });

  return app;
}

async function answer(c: Context, work: () => Promise<unknown>) {
  try {
    return c.json({ device: await work() });
  } catch (error) {
    if (error instanceof FleetError) return c.json({ error: "fleet", message: error.message }, error.status);
    throw error;
  }
}
