import { inspectRoutes } from "hono/dev";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policyMatcher } from "../../cloud/auth/enforce-policy";
import { DEFAULT_BODY_BYTES, ROUTE_POLICIES, type RoutePolicy, type StaffScope } from "../../cloud/auth/route-policy";
import { placardsUnder } from "../../cloud/reports/placards";
import { otaTestCloud } from "../support/ota";
import { incidents, nodeAlarm, placeNode, seedSite, seedTeam } from "../support/site";

/**
 * Walks the app's actual routes (Hono's own list, OTA included) and holds each to its declared
 * policy: a route without one fails here; a non-public route answers 401 without a token or with
 * a bad one, 403 to a deactivated person, 403 to a staff token where only admins may go, 403 to a
 * staff member reaching outside their places; and every body above its limit is 413.
 */
describe("one declared authorization policy for every HTTP route", () => {
  let cloud: Awaited<ReturnType<typeof otaTestCloud>>;
  let staffToken: string;
  let deactivatedToken: string;
  let outside: { incidentId: number; reportId: number; reportIncidentId: number };
  const routes: Array<{ method: string; path: string }> = [];
  const policyOf = policyMatcher(ROUTE_POLICIES);

  beforeAll(async () => {
    cloud = await otaTestCloud([]);
    const db = cloud.database.db;
    await seedSite(db);
    const team = await seedTeam(cloud);
    staffToken = team.lead1.token; // building 1 only
    deactivatedToken = team.grid.token;
    const deactivate = await cloud.app.request(`/api/staff/${team.grid.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${cloud.token}`, "content-type": "application/json" },
      body: JSON.stringify({ active: false }),
    });
    expect(deactivate.status).toBe(200);
    // Something in building 3, outside the staff member's places: a node's alarm and a resident's report.
    await placeNode(db, "smoke-b3-101", "bd-3");
    await nodeAlarm(cloud, "smoke-b3-101");
    const placard = (await placardsUnder(db, "bd-3", 0)).find((p) => p.placeId === "bd-3")!.code;
    const reported = await cloud.app.request(
      "/reports",
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ description: "Smell of burning in the stairwell", placard }) },
      { incoming: { socket: { remoteAddress: "203.0.113.9" } } },
    );
    expect(reported.status).toBe(202);
    await cloud.settle();
    const all = await incidents(cloud);
    const reportIncident = all.find((i) => i.hazard === "resident-report")!;
    const [{ id: reportId }] = ((await (await cloud.get(`/api/reports?incident=${reportIncident.id}`)).json()) as { reports: Array<{ id: number }> }).reports;
    outside = { incidentId: all.find((i) => i.hazard !== "resident-report")!.id, reportId, reportIncidentId: reportIncident.id };
    for (const route of inspectRoutes(cloud.app)) if (!route.isMiddleware) routes.push({ method: route.method, path: route.path });
  });
  afterAll(() => cloud?.close());

  /** A concrete URL for a route: parameters filled with what the probe needs. */
  function urlFor(path: string, scope?: StaffScope): string {
    // A node outside the staff member's places (building 3): its own routes must refuse them.
    if (scope === "node") return path.replace(/:nodeId\b/, "smoke-b3-101").replace(/^\/api\/nodes\/:id\b/, "/api/nodes/smoke-b3-101").replace(/:[A-Za-z]+/g, "1");
    const id = scope === "incident" ? String(outside.incidentId) : scope === "report" ? String(outside.reportId) : "x1";
    const filled = path.replace(/:id\b/g, id).replace(/:[A-Za-z]+/g, "x1");
    return scope === "report" && !path.includes(":id") ? `${filled}?incident=${outside.reportIncidentId}` : filled;
  }

  async function call(method: string, url: string, token?: string, body?: string): Promise<Response> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await cloud.app.request(url, { method, headers, body: method === "GET" ? undefined : (body ?? "{}") }, { incoming: { socket: { remoteAddress: "198.51.100.1" } } });
    await response.body?.cancel(); // event streams never end by themselves
    return response;
  }

  it("finds a policy for every route the app serves, and a route for every policy", () => {
    expect(routes.length).toBeGreaterThan(50);
    const unpoliced = routes.filter((r) => !ROUTE_POLICIES.some((p) => p.method === r.method && p.path === r.path)).map((r) => `${r.method} ${r.path}`);
    expect(unpoliced, "routes without a policy in cloud/auth/route-policy.ts").toEqual([]);
    const stale = ROUTE_POLICIES.filter((p) => !routes.some((r) => r.method === p.method && r.path === p.path)).map((p) => `${p.method} ${p.path}`);
    expect(stale, "policies naming no route").toEqual([]);
  });

  it("behaves as each route's policy says: 401 without a credential, 403 outside role or scope", async () => {
    const wrong: string[] = [];
    const expectStatus = (route: RoutePolicy, who: string, status: number, ok: (s: number) => boolean) => {
      if (!ok(status)) wrong.push(`${route.method} ${route.path} as ${who}: ${status}`);
    };
    const refused = (s: number) => s === 401 || s === 403;
    for (const { method, path } of routes) {
      const policy = policyOf(method, urlFor(path))!;
      expect(policy, `${method} ${path}`).toBeDefined();
      const url = urlFor(path);
      if (policy.access === "public") {
        expectStatus(policy, "anyone", (await call(method, url)).status, (s) => !refused(s));
        continue;
      }
      expectStatus(policy, "nobody", (await call(method, url)).status, (s) => s === 401);
      expectStatus(policy, "a made-up token", (await call(method, url, "sw_made-up")).status, (s) => s === 401);
      expectStatus(policy, "a deactivated person", (await call(method, url, deactivatedToken)).status, (s) => s === 403);
      expectStatus(policy, "an admin", (await call(method, url, cloud.token)).status, (s) => !refused(s));
      if (policy.access === "admin") {
        expectStatus(policy, "staff", (await call(method, url, staffToken)).status, (s) => s === 403);
        continue;
      }
      // Staff: inside their own places only.
      const scope = policy.scope;
      if (scope === "incident" || scope === "report" || scope === "node") {
        const status = (await call(method, urlFor(path, scope), staffToken, JSON.stringify({ staffIds: [1], outcome: "ok", note: "x" }))).status;
        expectStatus(policy, "staff outside their places", status, (s) => s === 403);
      } else if (scope === "list" || (scope === "self" && method === "GET")) {
        expectStatus(policy, "staff", (await call(method, url, staffToken)).status, (s) => s === 200);
      } else if (scope === "self") {
        // A change to the caller's own things (their browser's subscription): let through to the handler, which checks the body.
        expectStatus(policy, "staff", (await call(method, url, staffToken)).status, (s) => !refused(s) && s < 500);
      } else {
        wrong.push(`${method} ${path}: a staff route needs a scope this test knows how to probe`);
      }
    }
    expect(wrong).toEqual([]);
    // Nothing outside the staff member's places was changed by their refused attempts.
    expect((await incidents(cloud)).every((i) => i.status === "open")).toBe(true);
  });

  it("refuses a body over each route's limit with 413 before any handler reads it", async () => {
    const wrong: string[] = [];
    for (const { method, path } of routes) {
      if (method === "GET") continue;
      const policy = policyOf(method, urlFor(path))!;
      const limit = policy.maxBodyBytes ?? DEFAULT_BODY_BYTES;
      const token = policy.access === "public" ? undefined : cloud.token;
      const response = await call(method, urlFor(path), token, `"${"x".repeat(limit)}"`);
      if (response.status !== 413) wrong.push(`${method} ${path}: ${response.status}`);
    }
    expect(wrong).toEqual([]);
    // A 10 MB JSON body to an authenticated route, as in the issue.
    expect((await call("POST", "/api/incidents/1/resolve", cloud.token, `"${"x".repeat(10_000_000)}"`)).status).toBe(413);
  });

  it("answers a path with no declared policy 404 before any handler", async () => {
    const response = await call("GET", "/api/not-a-route", cloud.token);
    expect(response.status).toBe(404);
    expect(((await cloud.app.request("/api/ota/images", { method: "OPTIONS" })).status)).toBe(404);
  });
});
