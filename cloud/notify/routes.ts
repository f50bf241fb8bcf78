import { Hono } from "hono";
import { randomBytes } from "node:crypto";
import { requireAdmin } from "../auth/require-admin";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { HAZARDS } from "../db/schema";
import { insertWebhook, listWebhooks, setWebhookActive } from "./queries";

/** Webhook endpoints (admin only). The signing secret is shown once, at creation. */
export function webhookRoutes(deps: { db: Db; now: () => number }) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use("*", requireAdmin());

  app.get("/", async (c) => c.json({ webhooks: await listWebhooks(deps.db) }));

  app.post("/", async (c) => {
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      return c.json({ error: "invalid-json", message: "The body must be a JSON object." }, 422);
    }
    if (typeof body.name !== "string" || !body.name.trim()) return c.json({ error: "invalid-field", message: "name is required" }, 422);
    let url: URL;
    try {
      url = new URL(String(body.url));
    } catch {
      return c.json({ error: "invalid-field", message: "url must be an http(s) URL" }, 422);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return c.json({ error: "invalid-field", message: "url must be an http(s) URL" }, 422);
    const hazards = body.hazards;
    if (hazards !== undefined && !(Array.isArray(hazards) && hazards.every((h) => (HAZARDS as readonly string[]).includes(h as string)))) {
      return c.json({ error: "invalid-field", message: `hazards must list some of ${HAZARDS.join(", ")}` }, 422);
    }
    const secret = `whsec_${randomBytes(32).toString("base64url")}`;
    const hook = await insertWebhook(deps.db, { name: body.name.trim(), url: url.toString(), secret, hazards: (hazards as string[] | undefined) ?? null }, deps.now());
    return c.json({ webhook: { id: hook.id, name: hook.name, url: hook.url, hazards: hazards ?? null }, secret }, 201);
  });

  app.patch("/:id", async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { active?: unknown };
    if (typeof body.active !== "boolean") return c.json({ error: "invalid-field", message: "active must be true or false" }, 422);
    const found = await setWebhookActive(deps.db, Number(c.req.param("id")), body.active);
    return found ? c.json({ ok: true }) : c.json({ error: "not-found", message: "No such webhook." }, 404);
  });
  return app;
}
