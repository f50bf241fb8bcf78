import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../cloud/auth/tokens";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { defaultSensingConfig } from "../../firmware/sensing-config";
import { esp32DevkitC } from "../../hardware/boards";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { waitFor } from "../support/wait";

/**
 * The sensor node booted by the simulator's runtime, as `npm start` would boot it: its firmware in
 * XS, its clamp and residual-current inputs driven by synthesized 50 Hz waveforms, its alarms
 * through Mosquitto into the cloud.
 */
describe("sensor node: XS runtime → Mosquitto → cloud", () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  let token: string;

  beforeAll(async () => {
    broker = await startMosquitto();
    cloud = await startCloud({
      databaseUrl: tempDatabaseUrl(),
      mqtt: { url: broker.url, protocolVersion: 5, shareGroup: "ingest" },
      instanceId: `test-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log: memoryLogger(),
    });
    token = await createToken(cloud.database.db, "e2e", "admin", Date.now());
  });
  afterAll(async () => {
    await cloud?.close();
    await broker?.stop();
  });

  it("sends a leakage alarm with its sensor, evidence and detector state, and refuses a bad config", async () => {
    const leakage = esp32DevkitC.sensors.leakage;
    const mains = (milliamps: number) => ({ offsetCounts: 2048, amplitudeCounts: (milliamps / leakage.unitsPerCount) * Math.SQRT2, hz: 50, noiseCounts: 2, seed: 3 });
    const node = await SimNode.boot({
      kind: "sensor",
      brokerUrl: broker.url,
      protocolVersion: 5,
      config: { nodeId: "sensor-e2e-01", firmwareVersion: "0.1.0-test", mqtt: { host: "127.0.0.1", port: 1883, keepAliveMs: 30_000 }, telemetryIntervalMs: 10_000, sensing: defaultSensingConfig() },
      onLog: () => {},
    });
    try {
      await node.setWaveform("smoke", { offsetCounts: 300, amplitudeCounts: 0, hz: 0, noiseCounts: 3 });
      await node.setWaveform("ntc", { offsetCounts: 2200, amplitudeCounts: 0, hz: 0, noiseCounts: 2 });
      await node.setWaveform("ct", { offsetCounts: 2048, amplitudeCounts: 200, hz: 50, noiseCounts: 2 });
      await node.setWaveform("leakage", mains(4));
      await waitFor(async () => (await node.inspect()).connected, "the node to connect");
      await node.advance(60_000);

      expect(await node.applySensing({ ...defaultSensingConfig(), electrical: { ...defaultSensingConfig().electrical!, leakage: { thresholdMa: 5, holdMs: 5_000, clearHoldMs: 30_000 } } })).toMatch(
        /GB 14287\.2/,
      );

      await node.setWaveform("leakage", mains(450));
      await node.advance(30_000);
      const api = async <T>(path: string): Promise<T> => {
        const response = await fetch(`${cloud.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        return (await response.json()) as T;
      };
      const alarms = await waitFor(async () => {
        const { alarms } = await api<{ alarms: Array<{ kind: string; state: string; value: number; unit: string; evidence: number[] }> }>("/api/alarms?node=sensor-e2e-01");
        return alarms.length > 0 ? alarms : null;
      }, "the leakage alarm to reach the cloud");
      expect(alarms).toHaveLength(1);
      expect(alarms[0]).toMatchObject({ kind: "leakage", state: "raised", unit: "mA" });
      expect(alarms[0].value).toBeCloseTo(450, -1);
      expect(alarms[0].evidence.length).toBeGreaterThan(10);
      const inspection = await node.inspect();
      expect(inspection.sensing?.electrical).toMatchObject({ leakage: true, overcurrent: false });
    } finally {
      await node.stop();
    }
  });
});
