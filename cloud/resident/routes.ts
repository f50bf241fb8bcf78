import { randomBytes } from "node:crypto";
import { Hono, type Context } from "hono";
import type { Db } from "../db/client";
import { placardPlace } from "../reports/placards";
import { reportPage, statusPage, unknownPlacardPage } from "./pages";

/**
 * The resident's pages, opened from a placard's QR code with no sign-in: the report form for the
 * placard's place (`/r/<code>`) and the progress page (`/r/status#<token>`). Everything they need is
 * in the page; the only script is the page's own, allowed by a nonce.
 */
export function residentRoutes(deps: { db: Db }) {
  const app = new Hono();
  app.get("/status", (c) => send(c, (nonce) => statusPage(nonce)));
  app.get("/:code", async (c) => {
    const place = await placardPlace(deps.db, c.req.param("code"));
    if (!place) return send(c, () => unknownPlacardPage(), 404);
    // The community, compound and building a resident knows, not the street office above them.
    return send(c, (nonce) => reportPage(c.req.param("code"), place.pathNames.slice(-3).join(" · "), nonce));
  });
  return app;
}

function send(c: Context, render: (nonce: string) => ReturnType<typeof statusPage>, status: 200 | 404 = 200) {
  const nonce = randomBytes(16).toString("base64");
  c.header("content-security-policy", `default-src 'self'; img-src 'self' blob:; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'`);
  c.header("cache-control", "no-store");
  c.header("referrer-policy", "no-referrer");
  return c.html(render(nonce), status);
}
