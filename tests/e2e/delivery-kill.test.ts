import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../cloud/db/client";
import { deliveries } from "../../cloud/db/schema";
import { insertStaff, replaceScopes } from "../../cloud/staff/queries";
import { startCloudProcess, type CloudProcess } from "../support/cloud-process";
import { fakeAliyun, type FakeProvider } from "../support/fake-providers";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { FakeNodes } from "../support/publishers";
import { placeNode, seedSite } from "../support/site";
import { waitFor } from "../support/wait";

const PEOPLE = 100;
const phoneOf = (i: number) => `+86139000${String(i).padStart(5, "0")}`;

/**
 * The cloud as it runs in production (its own process, Aliyun SMS configured, pointed at a local
 * server shaped like dysmsapi), killed with SIGKILL while a fire's 100 SMS are pending: Aliyun is
 * throttling, so every one is retrying or not yet tried. After the restart each is taken up from
 * its row and reaches its person once, none twice.
 */
describe("SIGKILL with 100 SMS deliveries pending", () => {
  let broker: Mosquitto | undefined;
  let aliyun: FakeProvider | undefined;
  let database: Database | undefined;
  let fakes: FakeNodes | undefined;
  const clouds: CloudProcess[] = [];

  afterAll(async () => {
    for (const cloud of clouds) cloud.child.kill("SIGKILL");
    await fakes?.close();
    database?.close();
    await aliyun?.close();
    await broker?.stop();
  });

  it("delivers every one after the restart, once each", async () => {
    broker = await startMosquitto();
    aliyun = await fakeAliyun({ LTAI5tKillTestKeyId01: "KillTestSecret0123456789abcdef" });
    // Aliyun throttles everything until the test says otherwise.
    aliyun.script.push(...Array.from({ length: 100_000 }, () => "throttle" as const));
    const dir = mkdtempSync(join(tmpdir(), "sw-sms-kill-"));
    const env = {
      MQTT_URL: broker.url,
      DATABASE_URL: `file:${join(dir, "cloud.db")}`,
      DATA_DIR: dir,
      INSTANCE_ID: "sms-kill-test",
      ACK_TIMEOUT_S: "3600",
      SMS_PROVIDER: "aliyun",
      ALIYUN_ACCESS_KEY_ID: "LTAI5tKillTestKeyId01",
      ALIYUN_ACCESS_KEY_SECRET: "KillTestSecret0123456789abcdef",
      ALIYUN_SMS_SIGN_NAME: "守望社区",
      ALIYUN_SMS_TEMPLATE_CODE: "SMS_465990001",
      ALIYUN_SMS_ENDPOINT: `${aliyun.url}/`,
    };

    // The site and its hundred building leads, each with a phone, in the database the cloud will open.
    database = await openDatabase(env.DATABASE_URL);
    const db = database.db;
    await seedSite(db);
    await placeNode(db, "kill-0001", "fl-1-3");
    for (let i = 0; i < PEOPLE; i++) {
      const person = await insertStaff(db, { name: `楼长 ${i}`, role: "building-lead", phone: phoneOf(i) }, Date.now());
      await replaceScopes(db, person.id, ["bd-1"]);
    }
    const sms = async () => db.select({ id: deliveries.id, status: deliveries.status, attempts: deliveries.attempts, staffId: deliveries.staffId }).from(deliveries).where(eq(deliveries.channel, "sms"));

    const first = await startCloudProcess(env);
    clouds.push(first);
    fakes = await FakeNodes.connect(broker.url, 1, "kill");
    await fakes.send(0, "alarm");
    // Every SMS stored, and Aliyun has refused a hundred attempts: all pending or retrying.
    await waitFor(async () => (await sms()).length === PEOPLE && aliyun!.refused.length >= PEOPLE, "100 SMS stored and throttled", 30_000, 50);
    first.child.kill("SIGKILL");
    await first.exited;
    const atKill = await sms();
    expect(atKill).toHaveLength(PEOPLE);
    expect(atKill.every((d) => d.status === "pending" || d.status === "retrying")).toBe(true);
    expect(aliyun.accepted).toHaveLength(0);

    // Aliyun takes messages again; the cloud starts again on the same database.
    aliyun.script.length = 0;
    const second = await startCloudProcess(env);
    clouds.push(second);
    await waitFor(async () => (await db.select({ id: deliveries.id }).from(deliveries).where(and(eq(deliveries.channel, "sms"), eq(deliveries.status, "sent")))).length === PEOPLE, "every SMS sent", 60_000, 200);
    // Give a duplicate every chance to show itself before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const numbers = aliyun.accepted.map((a) => a.to);
    expect(numbers).toHaveLength(PEOPLE);
    expect(new Set(numbers).size).toBe(PEOPLE);
    expect(new Set(numbers)).toEqual(new Set(Array.from({ length: PEOPLE }, (_, i) => phoneOf(i).slice(3))));
    const after = await sms();
    expect(after).toHaveLength(PEOPLE);
    expect(new Set(after.map((d) => d.staffId)).size).toBe(PEOPLE);
    console.log(
      `SIGKILL with ${atKill.filter((d) => d.status === "retrying").length} SMS retrying and ${atKill.filter((d) => d.status === "pending").length} not yet tried; ` +
        `after the restart Aliyun took ${numbers.length} messages for ${new Set(numbers).size} numbers (attempts per SMS: ${[...new Set(after.map((d) => d.attempts))].sort().join(", ")})`,
    );
  }, 120_000);
});
