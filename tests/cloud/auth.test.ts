import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiTokens } from "../../cloud/db/schema";
import { ensureFirstAdminToken, hashToken } from "../../cloud/auth/tokens";
import { testCloud, type TestCloud } from "../support/cloud";

describe("API tokens", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await testCloud();
  });
  afterEach(() => cloud.database.close());

  it.each([
    ["no header", {}],
    ["a wrong token", { authorization: "Bearer sw_not-a-real-token" }],
    ["another scheme", { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` }],
  ])("answers 401 with a JSON reason for %s", async (_name, headers) => {
    for (const path of ["/api/alarms", "/api/alarms/stream", "/api/nodes", "/api/ingest/stats"]) {
      const response = await cloud.app.request(path, { headers });
      expect(response.status, path).toBe(401);
      expect(response.headers.get("content-type")).toMatch(/application\/json/);
      expect(((await response.json()) as { error: string }).error).toBe("unauthorized");
    }
  });

  it("lets a valid token in", async () => {
    expect((await cloud.get("/api/alarms")).status).toBe(200);
  });

  it("makes the first admin token once and keeps only its hash", async () => {
    const db = cloud.database.db;
    await db.delete(apiTokens);
    const first = await ensureFirstAdminToken(db, 0);
    expect(first).toMatch(/^sw_[A-Za-z0-9_-]{43}$/);
    expect(await ensureFirstAdminToken(db, 0)).toBeNull();
    const rows = await db.select().from(apiTokens);
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toBe(hashToken(first!));
    expect(JSON.stringify(rows)).not.toContain(first!);
    const response = await cloud.app.request("/api/alarms", { headers: { authorization: `Bearer ${first}` } });
    expect(response.status).toBe(200);
  });

  it("serves the console page without a token (its data needs one)", async () => {
    const response = await cloud.app.request("/");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("守望");
  });

  it("answers bad query parameters with 400 and a reason", async () => {
    for (const query of ["limit=0", "limit=abc", "before=-3", "node=NOT%20AN%20ID"]) {
      const response = await cloud.get(`/api/alarms?${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { message: string }).message.length).toBeGreaterThan(5);
    }
  });
});
