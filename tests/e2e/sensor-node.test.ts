import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../cloud/auth/tokens";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { defaultSensingConfig } from "../../firmware/sensing-config";
import { esp32DevkitC } from "../../hardware/boards";
import { sensorCalibration } from "../../hardware/calibration";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { runUntil } from "../support/sim";

/**
 * The sensor node booted by the simulator's runtime: its firmware in XS, its clamp and
 * residual-current inputs driven by synthesized 50 Hz waveforms, its alarms through Mosquitto into
 * the cloud, its sensing settings changed by a config command through the API.
 */
describe("sensor node: XS runtime → Mosquitto → cloud, and config commands back", () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  let token: string;
  let node: SimNode;
  const { leakage, ct } = sensorCalibration(esp32DevkitC);
  const mains = (milliamps: number) => ({ offsetCounts: leakage.biasCounts, amplitudeCounts: (milliamps / leakage.unitsPerCount) * Math.SQRT2, hz: 50, noiseCounts: 2, seed: 3 });

  beforeAll(async () => {
    broker = await startMosquitto();
    cloud = await startCloud({
      databaseUrl: tempDatabaseUrl(),
      mqtt: { url: broker.url, protocolVersion: 5, shareGroup: "ingest" },
      instanceId: `sensor-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log: memoryLogger(),
      livenessEveryMs: 0,
    });
    token = await createToken(cloud.database.db, "e2e", "admin", Date.now());
    node = await SimNode.boot({
      kind: "sensor",
      brokerUrl: broker.url,
      protocolVersion: 5,
      config: {
        nodeId: "sensor-e2e-01",
        firmwareVersion: "0.1.0-test",
        mqtt: { host: "127.0.0.1", port: 1883, keepAliveMs: 30_000 },
        telemetryIntervalMs: 10_000,
        healthIntervalMs: 30_000,
        sensing: defaultSensingConfig(),
      },
      onLog: () => {},
    });
    await node.setWaveform("smoke", { offsetCounts: 300, amplitudeCounts: 0, hz: 0, noiseCounts: 3 });
    await node.setWaveform("heat", { offsetCounts: 2200, amplitudeCounts: 0, hz: 0, noiseCounts: 2 });
    await node.setWaveform("current", { offsetCounts: ct.biasCounts, amplitudeCounts: 200, hz: 50, noiseCounts: 2 });
    await node.setWaveform("leakage", mains(4));
    await runUntil([node], async () => (await node.inspect()).connected, "the node to connect");
  });
  afterAll(async () => {
    await node?.stop();
    await cloud?.close();
    await broker?.stop();
  });

  const api = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${cloud.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers ?? {}) },
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  it("sends a leakage alarm with its sensor, evidence and detector state", async () => {
    await node.advance(60_000);
    await node.setWaveform("leakage", mains(450));
    await node.advance(30_000);
    const alarms = await runUntil([node], async () => {
      const { body } = await api("/api/alarms?node=sensor-e2e-01");
      return body.alarms.length > 0 && body.alarms;
    }, "the leakage alarm to reach the cloud");
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ kind: "leakage", state: "raised", unit: "mA" });
    expect(alarms[0].value).toBeCloseTo(450, -1);
    expect(alarms[0].evidence.length).toBeGreaterThan(10);
    expect((await node.inspect()).sensing?.electrical).toMatchObject({ leakage: true, overcurrent: false });
  });

  it("takes a sensing setting by config command, and refuses one outside GB 14287.2 with the reason", async () => {
    const command = async (config: Record<string, number>) => {
      const { status, body } = await api("/api/nodes/sensor-e2e-01/commands", { method: "POST", body: JSON.stringify({ op: "config", config }) });
      expect(status).toBe(202);
      return runUntil([node], async () => {
        const { body: current } = await api(`/api/nodes/sensor-e2e-01/commands/${body.command.id}`);
        return current.command.status !== "sent" && current.command;
      }, `the ack of ${JSON.stringify(config)}`);
    };
    const refused = await command({ "electrical.leakage.thresholdMa": 10 });
    expect(refused).toMatchObject({ status: "refused" });
    expect(refused.detail).toMatch(/GB 14287\.2/);
    expect(await command({ "electrical.leakage.thresholdMa": 600, "smoke.alarmHoldMs": 20_000 })).toMatchObject({ status: "ok" });
    // 450 mA is now below the setting: the alarm clears after its hold.
    await node.advance(40_000);
    const cleared = await runUntil([node], async () => {
      const { body } = await api("/api/alarms?node=sensor-e2e-01");
      return body.alarms.find((a: { state: string }) => a.state === "cleared");
    }, "the leakage alarm to clear under the new setting");
    expect(cleared).toMatchObject({ kind: "leakage" });
  });
});
