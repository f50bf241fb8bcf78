import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AlarmFeed } from "./alarms/alarm-feed";
import { alarmRoutes } from "./alarms/routes";
import { enforceRoutePolicy } from "./auth/enforce-policy";
import { sessionCookie } from "./auth/session-cookie";
import { sessionAdminRoutes, sessionRoutes } from "./auth/session-routes";
import { bearerToken, type AuthVariables, type Authenticator } from "./auth/require-token";
import { ROUTE_POLICIES } from "./auth/route-policy";
import { capsuleRoutes } from "./capsules/routes";
import { consoleRoutes } from "./console/routes";
import type { CommandPublisher } from "./commands/publisher";
import type { Db } from "./db/client";
import { elevatorRoutes } from "./elevators/routes";
import { fleetRoutes } from "./fleet/routes";
import type { Ingest } from "./ingest/ingest";
import type { Logger } from "./log";
import { incidentRoutes } from "./incidents/routes";
import { nodeRoutes } from "./nodes/routes";
import { otaRoutes, type OtaDeps } from "./ota/routes";
import { webhookRoutes } from "./notify/routes";
import { chatRobotRoutes } from "./notify/robot-routes";
import { routingGapRoutes } from "./routing/gap-routes";
import { pushRoutes } from "./notify/push/push-routes";
import { serviceWorkerRoutes } from "./notify/push/service-worker";
import { placeListRoutes } from "./places/list-routes";
import { placeLocationRoutes } from "./places/location-routes";
import { placeTreeRoutes } from "./places/tree-routes";
import { reportRoutes } from "./reports/routes";
import { staffReportRoutes } from "./reports/staff-routes";
import { residentRoutes } from "./resident/routes";
import { FirmwareStore } from "./flashing/firmware-store";
import { flashingRoutes } from "./flashing/routes";
import type { RoutingStage } from "./routing/stage";
import { staffRoutes } from "./staff/routes";
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
  /** Over-the-air updates; without them /api/ota answers 404. */
  ota?: OtaDeps;
  /** Incidents, routing and channels (issue 7). */
  routing: RoutingStage;
  /** Ways of proving who calls, tried in order after bearer tokens (a console session, say). */
  authenticators?: Authenticator[];
}

/** The HTTP app, built from its dependencies so a test can make one over a fresh database. */
export function createApp(deps: AppDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();
  // Who may call what is declared for every route in auth/route-policy.ts and enforced here,
  // before any handler; a route without a declared policy answers 404.
  // Machines send bearer tokens; people in the console carry a session cookie (auth/sessions.ts).
  const wallClock = deps.now ?? Date.now;
  app.use(
    "*",
    enforceRoutePolicy({ policies: ROUTE_POLICIES, authenticators: [bearerToken(deps.db), sessionCookie(deps.db, wallClock), ...(deps.authenticators ?? [])] }),
  );

  app.route("/", consoleRoutes());
  app.route("/", serviceWorkerRoutes());
  app.route("/auth", sessionRoutes({ db: deps.db, now: wallClock }));
  app.get("/healthz", (c) => c.json({ ok: true }));

  // Residents report without an account; these routes limit and check their callers themselves.
  app.route("/reports", reportRoutes(deps.routing));
  app.route("/r", residentRoutes({ db: deps.db }));
  // The makers' flashing page; the route policy admits admins only (a build may carry a batch's claim settings).
  app.route("/flash", flashingRoutes({ store: new FirmwareStore(deps.routing.dataDir) }));

  const api = new Hono<{ Variables: AuthVariables }>();
  api.route("/alarms", alarmRoutes(deps));
  api.route("/nodes", nodeRoutes({ db: deps.db, commands: deps.commands, now: wallClock }));
  api.route("/fleet", fleetRoutes(deps));
  api.route("/elevators", elevatorRoutes(deps));
  api.route("/capsules", capsuleRoutes({ db: deps.db, now: wallClock }));
  api.route("/supplies", supplyRoutes({ db: deps.db, now: wallClock }));
  api.get("/ingest/stats", (c) => c.json(deps.ingest.stats));
  if (deps.ota) api.route("/ota", otaRoutes(deps.ota));
  const now = deps.routing.scheduler.now;
  api.route("/incidents", incidentRoutes(deps.routing));
  api.route("/staff", staffRoutes({ db: deps.db, now }));
  api.route("/webhooks", webhookRoutes({ db: deps.db, now }));
  api.route("/chat-robots", chatRobotRoutes({ db: deps.db, now, robots: deps.routing.robots }));
  api.route("/routing-gaps", routingGapRoutes({ db: deps.db, now }));
  api.route("/push", pushRoutes({ db: deps.db, now, publicKey: deps.routing.pushPublicKey, allowLoopbackEndpoints: deps.routing.allowLoopbackPushEndpoints }));
  api.route("/places", placeListRoutes({ db: deps.db }));
  api.route("/places", placeLocationRoutes({ db: deps.db }));
  api.route("/place-tree", placeTreeRoutes({ db: deps.db }));
  api.route("/reports", staffReportRoutes({ db: deps.db, dataDir: deps.routing.dataDir }));
  api.route("/", sessionAdminRoutes({ db: deps.db, now: wallClock }));
  api.get("/me", (c) => c.json({ owner: c.get("owner") }));
  app.route("/api", api);

  app.notFound((c) => c.json({ error: "not-found", message: `No route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return c.json({ error: "http-error", message: error.message }, error.status);
    deps.log("error", "request failed", { method: c.req.method, path: c.req.path, error: error.message });
    return c.json({ error: "internal", message: "Something went wrong on our side; it has been logged." }, 500);
  });
  return app;
}
