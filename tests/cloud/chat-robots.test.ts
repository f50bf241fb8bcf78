import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testCloud, type TestCloud } from "../support/cloud";
import { fakeDingtalk, type FakeProvider } from "../support/fake-providers";
import { addStaff, as, seedSite } from "../support/site";

describe("a robot per place's group chat, and a phone per person (admin settings)", () => {
  let cloud: TestCloud;
  let dingtalk: FakeProvider;
  const token = "0f7a2c1e9b8d4f6a0f7a2c1e9b8d4f6a0f7a2c1e9b8d4f6a0f7a2c1e9b8d4f6a";
  const secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";
  beforeEach(async () => {
    cloud = await testCloud();
    await seedSite(cloud.database.db);
    dingtalk = await fakeDingtalk({ [token]: secret });
  });
  afterEach(async () => {
    await cloud.close();
    await dingtalk.close();
  });

  const admin = () => as(cloud, cloud.token);

  it("registers a community's DingTalk robot, never shows its key or secret back, and posts a signed test message", async () => {
    const created = await admin().post("/api/chat-robots", { placeId: "cm-1", kind: "dingtalk", name: "和平社区工作群", url: `${dingtalk.url}/robot/send?access_token=${token}`, secret });
    expect(created.status).toBe(201);
    const { robot } = (await created.json()) as { robot: { id: number } };
    const listed = await (await admin().get("/api/chat-robots")).text();
    expect(listed).toContain("和平社区工作群");
    expect(listed).not.toContain(token);
    expect(listed).not.toContain(secret);
    const tested = await admin().post(`/api/chat-robots/${robot.id}/test`);
    expect(tested.status).toBe(200);
    expect(dingtalk.accepted).toHaveLength(1);
    expect((dingtalk.accepted[0].fields as { text: { content: string } }).text.content).toMatch(/测试 Test/);
  });

  it("says what is wrong with a robot's URL, kind or secret", async () => {
    const wrongShape = await admin().post("/api/chat-robots", { placeId: "cm-1", kind: "dingtalk", name: "x", url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc" });
    expect(wrongShape.status).toBe(400);
    expect(((await wrongShape.json()) as { message: string }).message).toMatch(/url: is not a dingtalk robot webhook; it looks like https:\/\/oapi\.dingtalk\.com/);
    const plainHttp = await admin().post("/api/chat-robots", { placeId: "cm-1", kind: "feishu", name: "x", url: "http://open.feishu.cn/open-apis/bot/v2/hook/abc" });
    expect(((await plainHttp.json()) as { message: string }).message).toMatch(/must be https/);
    const badSecret = await admin().post("/api/chat-robots", { placeId: "cm-1", kind: "dingtalk", name: "x", url: "https://oapi.dingtalk.com/robot/send?access_token=abc", secret: "notasecret" });
    expect(((await badSecret.json()) as { message: string }).message).toMatch(/starts with SEC/);
    const noPlace = await admin().post("/api/chat-robots", { placeId: "cm-9", kind: "wecom", name: "x", url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc" });
    expect(noPlace.status).toBe(422);
  });

  it("reports a robot the provider refuses as a failed test, with the provider's reason", async () => {
    const created = await admin().post("/api/chat-robots", { placeId: "cm-1", kind: "dingtalk", name: "wrong secret", url: `${dingtalk.url}/robot/send?access_token=${token}`, secret: `${secret.slice(0, -1)}x` });
    const { robot } = (await created.json()) as { robot: { id: number } };
    const tested = await admin().post(`/api/chat-robots/${robot.id}/test`);
    expect(tested.status).toBe(502);
    expect(await tested.json()).toMatchObject({ outcome: { status: "permanent", reason: expect.stringMatching(/310000/) } });
  });

  it("sets and clears a person's phone, shown back only as whether they have one", async () => {
    const person = await addStaff(cloud, { name: "Lead", role: "building-lead", scopes: ["bd-1"] });
    const patch = (body: unknown) => cloud.app.request(`/api/staff/${person.id}`, { method: "PATCH", headers: { authorization: `Bearer ${cloud.token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    const set = await patch({ phone: "+8613900000009" });
    expect(set.status).toBe(200);
    expect(await set.text()).not.toContain("13900000009");
    expect(((await (await cloud.get("/api/staff")).json()) as { staff: Array<{ id: number; hasPhone: boolean }> }).staff.find((s) => s.id === person.id)!.hasPhone).toBe(true);
    expect((await patch({ phone: "13900000009" })).status).toBe(422);
    await patch({ phone: null });
    expect(((await (await cloud.get("/api/staff")).json()) as { staff: Array<{ id: number; hasPhone: boolean }> }).staff.find((s) => s.id === person.id)!.hasPhone).toBe(false);
  });
});
