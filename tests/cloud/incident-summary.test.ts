import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readingWords } from "../../cloud/incidents/reading";
import { RecordingPhone } from "../support/recording-sms";
import { testCloud, type TestCloud } from "../support/cloud";
import { as, incident, incidents, nodeAlarm, placeNode, seedSite, seedTeam } from "../support/site";

describe("an incident's summary", () => {
  let cloud: TestCloud;
  let sms: RecordingPhone;
  beforeEach(async () => {
    sms = new RecordingPhone();
    cloud = await testCloud({ sms });
    await seedSite(cloud.database.db);
    await placeNode(cloud.database.db, "smoke-b1-301", "fl-1-3");
  });
  afterEach(() => cloud.close());

  it("follows the newest reading, not the first trigger's, in words and without the node's codes", async () => {
    await seedTeam(cloud);
    await nodeAlarm(cloud, "smoke-b1-301", { value: 950, threshold: 700 });
    await cloud.settle();
    const [fire] = await incidents(cloud);
    expect(fire.summary).toBe("Heping Community / No. 3 Compound / Building 1 / Floor 3 · 烟雾浓度为报警线的 136% · smoke at 136% of its alarm level");
    // The people told first read it in words too.
    expect(sms.sent.length).toBeGreaterThan(0);
    for (const m of sms.sent) expect(m.text).toContain("烟雾浓度为报警线的 136%");

    // Thirteen more triggers as the smoke thickens, folded into the same incident.
    for (let i = 1; i <= 13; i++) {
      await cloud.advance(5_000);
      await nodeAlarm(cloud, "smoke-b1-301", { value: 950 + i * 20, threshold: 700 });
      await cloud.settle();
    }
    const body = await incident(cloud, fire.id);
    expect(body.incident.triggerCount).toBe(14);
    expect(body.incident.summary).toContain("烟雾浓度为报警线的 173%");
    expect(body.incident.summary).not.toContain("136%");
    for (const m of sms.sent) expect(m.text).not.toMatch(/\braw\b|threshold/);
    // The node's own codes stay in the timeline's record for crews.
    expect(body.events.find((e) => e.type === "opened")?.detail).toMatchObject({ detail: "smoke 950 raw (threshold 700)" });
  });

  it("reopened by a new trigger, reads the new trigger's value", async () => {
    await nodeAlarm(cloud, "smoke-b1-301", { value: 800, threshold: 700 });
    await cloud.settle();
    const [fire] = await incidents(cloud);
    await nodeAlarm(cloud, "smoke-b1-301", { state: "cleared", value: 300, threshold: 350 });
    await cloud.settle();
    expect((await as(cloud, cloud.token).post(`/api/incidents/${fire.id}/ack`)).status).toBe(200);
    expect((await as(cloud, cloud.token).post(`/api/incidents/${fire.id}/resolve`, { note: "false alarm: cooking" })).status).toBe(200);
    await cloud.advance(60_000);
    await nodeAlarm(cloud, "smoke-b1-301", { value: 1400, threshold: 700 });
    await cloud.settle();
    const body = await incident(cloud, fire.id);
    expect(body.incident.status).toBe("open");
    expect(body.incident.summary).toContain("烟雾浓度为报警线的 200%");
  });
});

describe("a reading in words", () => {
  it("puts each kind in its real unit against its line, and never shows a unit code", () => {
    const cases: Array<[Parameters<typeof readingWords>[0], string, string]> = [
      [{ kind: "smoke", value: 1180, unit: "raw", threshold: 710 }, "烟雾浓度为报警线的 166%", "smoke at 166% of its alarm level"],
      [{ kind: "heat", value: 58.04, unit: "°C", threshold: 54 }, "温度 58 °C（报警线 54 °C）", "temperature 58 °C (alarm at 54 °C)"],
      [{ kind: "cable-overheat", value: 91.26, unit: "°C", threshold: 90 }, "线缆温度 91.3 °C（报警线 90 °C）", "cable temperature 91.3 °C (alarm at 90 °C)"],
      [{ kind: "cabinet-temperature", value: 41, unit: "C", threshold: 40 }, "柜内温度 41 °C（报警线 40 °C）", "cabinet temperature 41 °C (alarm at 40 °C)"],
      [{ kind: "leakage", value: 312, unit: "mA", threshold: 300 }, "剩余电流 312 mA（报警线 300 mA）", "residual current 312 mA (alarm at 300 mA)"],
      [{ kind: "overcurrent", value: 24.5, unit: "A", threshold: 16 }, "电流 24.5 A（额定 16 A）", "current 24.5 A (rated 16 A)"],
      [{ kind: "lock-max-hold", value: 600, unit: "s", threshold: 600 }, "电梯已被拦停 10 分钟（上限 10 分钟）", "elevator held for 10 min (limit 10 min)"],
      [{ kind: "detector-lost", value: 45_000, unit: "ms", threshold: 30_000 }, "电动车识别器 45 秒没有回应", "e-bike detector silent for 45 s"],
      [{ kind: "aed-removed", value: 1, unit: "removed", threshold: 1 }, "AED 已被取出", "AED taken out"],
      [{ kind: "door-left-open", value: 12, unit: "min", threshold: 10 }, "舱门已开 12 分钟（上限 10 分钟）", "door open 12 min (limit 10 min)"],
      [{ kind: "battery-low", value: 3.42, unit: "V", threshold: 3.5 }, "备用电池 3.4 V（低于 3.5 V）", "backup battery 3.4 V (below 3.5 V)"],
      [{ kind: "sensor-fault", value: 1, unit: "ntc", threshold: 1 }, "传感器故障，需要维修", "sensor fault: needs repair"],
      [{ kind: "relay-fault", value: 1, unit: "level", threshold: 0 }, "电梯管控继电器的反馈与指令不符，需要维修", "the elevator lock's relay disagrees with its command: needs repair"],
      [{ kind: "arc-fault", value: 7, unit: "events", threshold: 3 }, "读数 7（报警线 3）", "reading 7 (alarm line 3)"],
    ];
    for (const [reading, zh, en] of cases) expect(readingWords(reading), reading.kind).toEqual({ zh, en });
  });
});
