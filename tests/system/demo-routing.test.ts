import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HAZARDS } from "../../cloud/db/schema";
import { chooseRecipients } from "../../cloud/routing/router";
import { HAZARD_RULES } from "../../cloud/routing/rules";
import { ensureDemoRoster, seedDemoCommunity } from "../../system/demo-community";
import { startSimulatedProviders, type SimulatedProviders } from "../../system/simulated-providers";
import { testCloud, type TestCloud } from "../support/cloud";
import { incident, incidents, nodeAlarm } from "../support/site";

/**
 * `npm start`'s demo routes through the simulated providers: every role the rules name has
 * someone on duty with a phone, the community's work group has a robot, and each step of an
 * escalation lands somewhere visible (a printed SMS, call or group post, a delivered row). No
 * round of the demo reaches nobody.
 */
describe("the demo's routing reaches someone at every step", () => {
  let cloud: TestCloud;
  let simulated: SimulatedProviders;
  const printed: string[] = [];
  beforeEach(async () => {
    printed.length = 0;
    simulated = await startSimulatedProviders((line) => printed.push(line));
    cloud = await testCloud({ sms: simulated.sms, voice: simulated.voice, config: { ackTimeoutMs: 60_000, maxEscalations: 3 } });
    await seedDemoCommunity(cloud.database.db, { smoke: ["sim-smoke-001"] }, cloud.clock.now);
    await ensureDemoRoster(cloud.database.db, simulated.robot, cloud.clock.now);
  });
  afterEach(async () => {
    await cloud.close();
    await simulated.close();
  });

  it("has someone on duty for every tier of every hazard at the demo building", async () => {
    const path = "demo-street/demo-community/demo-compound/demo-building/";
    for (const hazard of HAZARDS) {
      for (const [step, tier] of HAZARD_RULES[hazard].tiers.entries()) {
        const recipients = await chooseRecipients(cloud.database.db, path, tier, cloud.clock.now, 480);
        expect(recipients.length, `${hazard} tier ${step}`).toBeGreaterThan(0);
        expect(recipients.every((r) => r.staff.phone !== null), `${hazard} tier ${step}`).toBe(true);
        expect(tier.channels, `${hazard} tier ${step}`).toContain("chat");
      }
    }
  });

  it("delivers a fire's every escalation step through the simulated SMS, calls and group, with no routing gap", async () => {
    await nodeAlarm(cloud, "sim-smoke-001");
    await cloud.settle();
    for (let i = 0; i < 3; i++) await cloud.advance(60_000);
    // Calls count once answered, as the provider reports some minutes after each.
    await cloud.advance(10 * 60_000);
    const [fire] = await incidents(cloud);
    const { incident: row, events, deliveries } = await incident(cloud, fire.id);
    expect(row.escalationStep).toBe(3);
    expect(events.filter((e) => e.type === "routing-gap")).toEqual([]);
    for (const step of [0, 1, 2, 3]) {
      const sent = deliveries.filter((d) => d.tier === step && d.status === "sent").map((d) => d.channel);
      expect(sent, `step ${step}`).toContain("chat");
      expect(sent.some((c) => c === "sms" || c === "voice"), `step ${step}`).toBe(true);
    }
    expect(printed.some((l) => l.includes("模拟短信 simulated SMS"))).toBe(true);
    expect(printed.some((l) => l.includes("模拟语音电话 simulated voice call"))).toBe(true);
    expect(printed.some((l) => l.includes("模拟钉钉群 simulated DingTalk group"))).toBe(true);
    // The terminal shows the last four digits of a number, never the number.
    expect(printed.join("\n")).not.toContain("13800138001");
    expect(cloud.log.lines.some((l) => l.includes("routing gap"))).toBe(false);
  });
});
