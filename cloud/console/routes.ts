import { Hono } from "hono";
import { consoleBundle } from "./build";
import { consolePage } from "./page";

/** The page and its script (public: the data behind them needs a session or a token). */
export function consoleRoutes() {
  const app = new Hono();
  // Start bundling with the server, so the first visitor does not wait for it.
  void consoleBundle().catch(() => {});
  app.get("/", async (c) => {
    const { hash, css } = await consoleBundle();
    return c.html(consolePage(hash, css), 200, { "cache-control": "no-cache" });
  });
  app.get("/console/app.js", async (c) => {
    const { js, hash } = await consoleBundle();
    // A request for this build's hash may be cached for good; anything else must revalidate.
    const cache = c.req.query("v") === hash ? "public, max-age=31536000, immutable" : "no-cache";
    return c.body(js, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": cache });
  });
  return app;
}
