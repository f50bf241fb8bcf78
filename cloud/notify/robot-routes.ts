import { Hono } from "hono";
import { z } from "zod";
import { requireAdmin } from "../auth/require-admin";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { ROBOT_KINDS } from "../db/schema";
import { valid } from "../http/validate";
import { placePathOf } from "../places/path";
import type { ProviderChannel, RobotAddress, RobotKind } from "./providers/channel";
import { getChatRobot, insertChatRobot, listChatRobots, setChatRobotActive } from "./robot-queries";

/** What a robot's webhook looks like, per kind, so a URL pasted into the wrong kind is caught at once. */
const URL_SHAPES: Record<RobotKind, { path: RegExp; param?: string; example: string }> = {
  wecom: { path: /\/cgi-bin\/webhook\/send$/, param: "key", example: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…" },
  dingtalk: { path: /\/robot\/send$/, param: "access_token", example: "https://oapi.dingtalk.com/robot/send?access_token=…" },
  feishu: { path: /\/open-apis\/bot\/v2\/hook\/[\w-]+$/, example: "https://open.feishu.cn/open-apis/bot/v2/hook/…" },
};

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

const robotBody = z
  .object({
    placeId: z.string().min(1).max(64),
    kind: z.enum(ROBOT_KINDS),
    name: z.string().trim().min(1).max(100),
    url: z.string().url().max(2000),
    secret: z.string().trim().min(8).max(200).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const url = new URL(body.url);
    const shape = URL_SHAPES[body.kind];
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "must be https:// (the URL carries the robot's key)" });
    }
    if (!shape.path.test(url.pathname) || (shape.param && !url.searchParams.get(shape.param))) {
      ctx.addIssue({ code: "custom", path: ["url"], message: `is not a ${body.kind} robot webhook; it looks like ${shape.example}` });
    }
    if (body.kind === "wecom" && body.secret) ctx.addIssue({ code: "custom", path: ["secret"], message: "WeCom robots have no signing secret: the key in the URL is the credential" });
    if (body.kind === "dingtalk" && body.secret && !body.secret.startsWith("SEC")) {
      ctx.addIssue({ code: "custom", path: ["secret"], message: "is DingTalk's 加签 secret, which starts with SEC" });
    }
  });

const TEST_TEXT = "[守望 Shouwang] 测试 Test: 本群已接入守望告警 — this group will receive Shouwang alarms.";

/**
 * The group chats of places (admin only): a robot per community or compound group. Posting a
 * test message is how an admin knows the URL, the secret and the group's keyword rules work
 * before a fire does.
 */
export function chatRobotRoutes(deps: { db: Db; now: () => number; robots: Record<RobotKind, ProviderChannel<RobotAddress>> }) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use("*", requireAdmin());

  app.get("/", async (c) => c.json({ robots: await listChatRobots(deps.db) }));

  app.post("/", valid("json", robotBody), async (c) => {
    const body = c.req.valid("json");
    if ((await placePathOf(deps.db, body.placeId)) === null) return c.json({ error: "invalid-field", message: `no place ${body.placeId}` }, 422);
    const row = await insertChatRobot(deps.db, { placeId: body.placeId, kind: body.kind, name: body.name, url: body.url, secret: body.secret ?? null, createdAt: deps.now() });
    const [listed] = (await listChatRobots(deps.db)).filter((r) => r.id === row.id);
    return c.json({ robot: listed }, 201);
  });

  app.patch("/:id", valid("json", z.object({ active: z.boolean() }).strict()), async (c) => {
    const found = await setChatRobotActive(deps.db, Number(c.req.param("id")), c.req.valid("json").active);
    return found ? c.json({ ok: true }) : c.json({ error: "not-found", message: "No such robot." }, 404);
  });

  app.post("/:id/test", async (c) => {
    const robot = await getChatRobot(deps.db, Number(c.req.param("id")));
    if (!robot) return c.json({ error: "not-found", message: "No such robot." }, 404);
    const outcome = await deps.robots[robot.kind].send(
      { url: robot.url, secret: robot.secret },
      { text: TEST_TEXT, fields: { lead: "测试", hazard: "测试", place: robot.name, incident: "0" }, outId: `test-${robot.id}` },
      AbortSignal.timeout(10_000),
    );
    return c.json({ outcome }, outcome.status === "accepted" ? 200 : 502);
  });
  return app;
}
