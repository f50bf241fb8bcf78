import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testCloud, type TestCloud } from "../support/cloud";
import { addStaff, seedSite } from "../support/site";

/** What the console's staff page changes about a person through PATCH /api/staff/:id. */
describe("changing a person's details", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await testCloud();
    await seedSite(cloud.database.db);
  });
  afterEach(() => cloud.close());

  const patch = async (id: number, body: unknown) => {
    const response = await cloud.app.request(`/api/staff/${id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${cloud.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { staff?: Record<string, unknown>; message?: string } };
  };

  it("changes name, role and phone (null removes it), each checked, and active as before", async () => {
    const person = await addStaff(cloud, { name: "Zhou", role: "aed-volunteer", scopes: ["cm-1"], phone: "+8613800000005" });
    expect(await patch(person.id, { name: "  Zhou Min ", role: "grid-worker" })).toMatchObject({ status: 200, body: { staff: { name: "Zhou Min", role: "grid-worker", hasPhone: true, active: true, scopes: ["cm-1"] } } });
    expect(await patch(person.id, { phone: null })).toMatchObject({ status: 200, body: { staff: { hasPhone: false } } });
    expect(await patch(person.id, { phone: "+8613900000006" })).toMatchObject({ status: 200, body: { staff: { hasPhone: true } } });
    expect(await patch(person.id, { active: false })).toMatchObject({ status: 200, body: { staff: { active: false } } });

    for (const [body, message] of [
      [{}, "nothing to change"],
      [{ role: "boss" }, "role must be one of"],
      [{ name: " " }, "name must be 1–100 characters"],
      [{ phone: "13800000000" }, "phone must be an E.164 number"],
      [{ active: "no" }, "active must be true or false"],
      [{ scopes: ["cm-1"] }, "scopes cannot be changed here"],
    ] as const) {
      const answer = await patch(person.id, body);
      expect(answer.status, JSON.stringify(body)).toBe(422);
      expect(answer.body.message).toContain(message);
    }
    // Nothing of the refused changes stuck.
    const listed = ((await (await cloud.get("/api/staff")).json()) as { staff: Array<Record<string, unknown>> }).staff.find((p) => p.id === person.id);
    expect(listed).toMatchObject({ name: "Zhou Min", role: "grid-worker", hasPhone: true, active: false });
  });
});
