import { Hono, type Context } from "hono";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { deviceRow, deviceRows, installDevice } from "./devices";
import { listBatches } from "./queries";
import { FleetError } from "./fleet-error";

/**
 * Installation, for community staff: look a device up by serial or by its scanned label, and
 * put a claimed device in its place.
 *
 *   GET  /api/fleet/devices/:device          `:device` is a serial, a MAC or a label's QR payload
 *   POST /api/fleet/installations            `{ "device": "<serial or label>", "placeId": "bd-1" }`
 *   GET  /api/fleet/batches                  every batch and how many of its devices have claimed
 *   GET  /api/fleet/batches/:batch/devices   a batch's devices: pending, claimed, online, released, revoked
 */
export function fleetRoutes(deps: { db: Db }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get("/batches", async (c) => {
    const rows = await listBatches(deps.db);
    // The claim secret's hash stays in the database: nothing a browser needs.
    return c.json({
      batches: rows.map(({ claimSecretHash: _hash, ...batch }) => ({ ...batch, expired: batch.expiresAt < Date.now() })),
    });
  });

  app.get("/batches/:batch/devices", async (c) => {
    const batch = c.req.param("batch");
    if (!/^[a-z0-9-]{1,64}$/.test(batch)) return c.json({ error: "bad-request", message: "not a batch id" }, 400);
    try {
      return c.json({ devices: await deviceRows(deps.db, batch) });
    } catch (error) {
      if (error instanceof FleetError) return c.json({ error: "fleet", message: error.message }, error.status);
      throw error;
    }
  });

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
