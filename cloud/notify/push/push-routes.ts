import { Hono } from "hono";
import { z } from "zod";
import type { AuthVariables } from "../../auth/require-token";
import type { Db } from "../../db/client";
import { valid } from "../../http/validate";
import { deletePushSubscription, savePushSubscription } from "./push-queries";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * A staff member's browsers for Web Push (self only: a browser subscribes for whoever is signed
 * in on it). The console asks for the cloud's public key, subscribes through the browser's push
 * service, and posts the subscription here. Admins are not on any roster, so nothing is pushed
 * to them. The cloud will POST to the endpoint, so it must be https (a test may allow loopback).
 */
export function pushRoutes(deps: { db: Db; now: () => number; publicKey: () => Promise<string>; allowLoopbackEndpoints?: boolean }) {
  const app = new Hono<{ Variables: AuthVariables }>();
  const subscription = z
    .object({
      endpoint: z
        .string()
        .url()
        .max(2000)
        .refine((value) => {
          const url = new URL(value);
          return url.protocol === "https:" || (deps.allowLoopbackEndpoints === true && url.protocol === "http:" && LOOPBACK.has(url.hostname));
        }, "must be the https:// address the browser's push service gave"),
      keys: z.object({
        p256dh: z.string().regex(BASE64URL).refine((v) => Buffer.from(v, "base64url").length === 65, "must be the browser's P-256 public key (65 bytes, base64url)"),
        auth: z.string().regex(BASE64URL).refine((v) => Buffer.from(v, "base64url").length === 16, "must be the browser's 16-byte auth secret (base64url)"),
      }),
      expirationTime: z.number().nullable().optional(),
    })
    .strip();

  const staffOnly = (staffId: number | null) => (staffId === null ? "Only staff on a roster receive notifications; sign in as a staff member on this browser." : null);

  app.get("/key", async (c) => c.json({ publicKey: await deps.publicKey() }));

  app.post("/subscriptions", valid("json", subscription), async (c) => {
    const { staffId } = c.get("owner");
    const refusal = staffOnly(staffId);
    if (refusal) return c.json({ error: "forbidden", message: refusal }, 403);
    const body = c.req.valid("json");
    await savePushSubscription(deps.db, { staffId: staffId!, endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth }, deps.now());
    return c.json({ ok: true }, 201);
  });

  app.delete("/subscriptions", valid("json", z.object({ endpoint: z.string().max(2000) }).strip()), async (c) => {
    const { staffId } = c.get("owner");
    const refusal = staffOnly(staffId);
    if (refusal) return c.json({ error: "forbidden", message: refusal }, 403);
    const removed = await deletePushSubscription(deps.db, staffId!, c.req.valid("json").endpoint);
    return removed ? c.json({ ok: true }) : c.json({ error: "not-found", message: "This browser was not subscribed." }, 404);
  });
  return app;
}
