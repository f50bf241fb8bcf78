import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AlarmFeed } from "./alarms/alarm-feed";
import { alarmRoutes } from "./alarms/routes";
import { requireToken, type AuthVariables } from "./auth/require-token";
import { capsuleRoutes } from "./capsules/routes";
import { consolePage } from "./console/page";
import type { CommandPublisher } from "./commands/publisher";
import type { Db } from "./db/client";
import { elevatorRoutes } from "./elevators/routes";
import type { Ingest } from "./ingest/ingest";
import type { Logger } from "./log";
import { nodeRoutes } from "./nodes/routes";
import { supplyRoutes } from "./supplies/routes";

export interface AppDeps {
  db: Db;
  feed: AlarmFeed;
  ingest: Ingest;
  log: Logger;
  /** Where commands to nodes go (the broker; a recorder in tests). */
  commands: CommandPublisher;
  /** Wall clock for dates the API computes (what expires within N days); Date.now unless a test fixes it. */
  now?: () => number;
}

/** The HTTP app, built from its dependencies so a test can make one over a fresh database. */
export function createApp(deps: AppDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get("/", (c) => c.html(consolePage));
  app.get("/healthz", (c) => c.json({ ok: true }));

  const api = new Hono<{ Variables: AuthVariables }>();
  api.use("*", requireToken(deps.db));
  api.route("/alarms", alarmRoutes(deps));
  const now = deps.now ?? Date.now;
  api.route("/nodes", nodeRoutes({ db: deps.db, commands: deps.commands, now }));
  api.route("/elevators", elevatorRoutes(deps));
  api.route("/capsules", capsuleRoutes({ db: deps.db, now }));
  api.route("/supplies", supplyRoutes({ db: deps.db, now }));
  api.get("/ingest/stats", (c) => c.json(deps.ingest.stats));
  app.route("/api", api);

  app.notFound((c) => c.json({ error: "not-found", message: `No route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return c.json({ error: "http-error", message: error.message }, error.status);
    deps.log("error", "request failed", { method: c.req.method, path: c.req.path, error: error.message });
    return c.json({ error: "internal", message: "Something went wrong on our side; it has been logged." }, 500);
  });
  return app;
}
