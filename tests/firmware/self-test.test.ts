import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { defaultCableSettings, defaultSensingConfig, type SensingConfig } from "../../firmware/sensing-config";
import { esp32DevkitC } from "../../hardware/boards";
import { sensorCalibration } from "../../hardware/calibration";
import type { CommandMessage } from "../../shared/messages";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { NodeMessages } from "../support/node-messages";
import { smokeNodeConfig } from "../support/sim-config";
import { waitFor } from "../support/wait";

/**
 * Self-test and relay test on the smoke and sensor nodes, their firmware in XS: what each test
 * finds, that it answers in one ack, and that testing a detector never sends a fire alarm nor
 * stops it deciding.
 */
describe("self-test and relay test on smoke and sensor nodes (in XS)", () => {
  let broker: Mosquitto;
  let messages: NodeMessages;
  const running: SimNode[] = [];
  let serial = 0;
  const { leakage, ct, cableTmp117Address } = sensorCalibration(esp32DevkitC);

  beforeAll(async () => {
    broker = await startMosquitto();
    messages = await NodeMessages.listen(broker.url);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((node) => node.stop()));
  });
  afterAll(async () => {
    await messages?.close();
    await broker?.stop();
  });

  async function connected(node: SimNode): Promise<SimNode> {
    running.push(node);
    await waitFor(async () => (await node.inspect()).connected, "the node to connect");
    return node;
  }

  let commandSerial = 0;
  const selfTest = (node: SimNode, id: string) => node.command({ v: 1, type: "command", id: `st-${++commandSerial}`, node: id, op: "self-test" } as CommandMessage);
  const relayTest = (node: SimNode, id: string) => node.command({ v: 1, type: "command", id: `rt-${++commandSerial}`, node: id, op: "relay-test", durationMs: 500 } as CommandMessage);

  describe("smoke node", () => {
    async function boot() {
      const id = `smoke-st-${process.pid % 1000}-${++serial}`;
      const node = await connected(await SimNode.boot({ brokerUrl: broker.url, protocolVersion: 5, config: smokeNodeConfig(id), onLog: () => {} }));
      await node.setPins({ smoke: 310 });
      await node.advance(5000);
      return { id, node };
    }

    it("passes a clean chamber, and the test sends no alarm and leaves the detector deciding", async () => {
      const { id, node } = await boot();
      const before = (await node.inspect()).samples;
      const outcome = await selfTest(node, id);
      expect(outcome).toMatchObject({ op: "self-test", result: "ok" });
      expect(outcome.detail).toBe("chamber ok 310 (clean air 300); detector sampling every 1000 ms; LED lit 1 s");
      expect((await node.outputs()).statusLed, "the status LED shows the crew which detector is testing").toBe(true);
      await node.advance(1500);
      expect((await node.outputs()).statusLed).toBe(false);
      const ack = await waitFor(() => messages.acks(id).find((a) => a.command === outcome.id), "the self-test's ack on the wire");
      expect(ack).toMatchObject({ result: "ok", op: "self-test" });

      await node.advance(8500);
      const after = await node.inspect();
      expect(after.samples - before, "sampling never paused").toBeGreaterThanOrEqual(10);
      expect(after.alarmActive).toBe(false);
      expect(after.outbox.alarms).toBe(0);
      expect(messages.alarms(id), "a self-test publishes no alarm").toEqual([]);

      // Smoke right after the test is alarmed on the usual hold (3 samples at 1 Hz): not blinded,
      // and the collector above would have seen an alarm had the test sent one.
      await node.setPins({ smoke: 950 });
      await node.advance(3000);
      expect((await node.inspect()).alarmActive).toBe(true);
      await messages.alarm(id, "smoke", "raised");
    });

    it("fails a dirty chamber without raising a fire alarm, and says why", async () => {
      const { id, node } = await boot();
      // Dust has raised clean air 260 counts: more than half way to the alarm level (+400), still below it.
      await node.setPins({ smoke: 560 });
      await node.advance(5000);
      const outcome = await selfTest(node, id);
      expect(outcome.result).toBe("failed");
      expect(outcome.detail).toMatch(/^chamber FAIL: reads 560, 260 over clean air 300 with no alarm: chamber dirty/);
      await waitFor(() => messages.acks(id).find((a) => a.command === outcome.id), "the failed self-test's ack");
      await node.advance(5000);
      expect(messages.alarms(id), "a failed self-test is not a fire").toEqual([]);
      expect((await node.inspect()).alarmActive).toBe(false);
    });

    it("fails a chamber that does not answer: dark IR LED, amplifier at the rail", async () => {
      const { id, node } = await boot();
      await node.setPins({ smoke: 0 });
      expect((await selfTest(node, id)).detail).toMatch(/^chamber FAIL: reads 0, IR LED dark or photodiode not answering/);
      await node.setPins({ smoke: 100 });
      expect((await selfTest(node, id)).detail).toMatch(/^chamber FAIL: reads 100, under half of clean air 300: IR LED weak/);
      await node.setPins({ smoke: 4095 });
      const rail = await selfTest(node, id);
      expect(rail).toMatchObject({ result: "failed" });
      expect(rail.detail).toMatch(/^chamber FAIL: reads 4095 at the rail/);
      expect(messages.alarms(id)).toEqual([]);
    });

    it("refuses a self-test while the smoke alarm stands, and a relay test it has no relay for", async () => {
      const { id, node } = await boot();
      await node.setPins({ smoke: 950 });
      await node.advance(4000);
      const outcome = await selfTest(node, id);
      expect(outcome).toMatchObject({ result: "refused" });
      expect(outcome.detail).toMatch(/smoke alarm standing/);
      expect((await node.inspect()).alarmActive, "the refused test leaves the alarm standing").toBe(true);
      expect(await relayTest(node, id)).toMatchObject({ result: "refused", detail: "this node has no relay: a smoke node only watches and alarms, it switches nothing" });
    });
  });

  describe("sensor node", () => {
    const mains = (milliamps: number) => ({ offsetCounts: leakage.biasCounts, amplitudeCounts: (milliamps / leakage.unitsPerCount) * Math.SQRT2, hz: 50, noiseCounts: 2, seed: 3 });

    async function boot(sensing: SensingConfig = defaultSensingConfig(), before?: (node: SimNode) => Promise<unknown>) {
      const id = `sensor-st-${process.pid % 1000}-${++serial}`;
      const node = await connected(
        await SimNode.boot({
          kind: "sensor",
          brokerUrl: broker.url,
          protocolVersion: 5,
          config: { nodeId: id, firmwareVersion: "0.1.0-test", mqtt: { host: "127.0.0.1", port: 1883, keepAliveMs: 30_000 }, telemetryIntervalMs: 10_000, sensing },
          onLog: () => {},
        }),
      );
      await node.setWaveform("smoke", { offsetCounts: 300, amplitudeCounts: 0, hz: 0, noiseCounts: 3 });
      await node.setWaveform("heat", { offsetCounts: 2200, amplitudeCounts: 0, hz: 0, noiseCounts: 2 });
      await node.setWaveform("current", { offsetCounts: ct.biasCounts, amplitudeCounts: 200, hz: 50, noiseCounts: 2 });
      await node.setWaveform("leakage", mains(4));
      await before?.(node);
      await node.advance(10_000);
      return { id, node };
    }

    it("passes when every sensor answers within range, and sends no alarm", async () => {
      const { id, node } = await boot();
      const outcome = await selfTest(node, id);
      expect(outcome, outcome.detail).toMatchObject({ result: "ok" });
      expect(outcome.detail).toMatch(/^smoke ok \d+ \(clean air 30\d\); heat \(ntc\) ok [\d.]+ °C; current ok [\d.]+ A; leakage ok [\d.]+ mA; LED lit 1 s$/);
      await waitFor(() => messages.acks(id).find((a) => a.command === outcome.id), "the ack on the wire");
      await node.advance(5000);
      const inspection = await node.inspect();
      expect(inspection.sensing?.alarmsSent).toBe(0);
      expect(messages.alarms(id)).toEqual([]);
    });

    it("fails a sensor that stops answering, naming it, and refuses a relay test", async () => {
      const { id, node } = await boot();
      // The clamp's bias is lost (lead cut): the channel sits at 0 counts instead of mid-range.
      await node.setWaveform("current", { offsetCounts: 0, amplitudeCounts: 0, hz: 0, noiseCounts: 0 });
      await node.advance(15_000);
      const outcome = await selfTest(node, id);
      expect(outcome.result).toBe("failed");
      expect(outcome.detail).toMatch(/^current FAIL: /);
      expect(outcome.detail).toMatch(/smoke ok .*leakage ok/);
      expect(await relayTest(node, id)).toMatchObject({ result: "refused", detail: expect.stringMatching(/^this node has no relay: a sensor node only watches its circuit/) });
    });

    it("checks the circuit's cable probe: in range, then not answering", async () => {
      const sensing = defaultSensingConfig();
      sensing.electrical!.cable = defaultCableSettings();
      const { id, node } = await boot(sensing, (n) => n.setI2c(cableTmp117Address, { 0x0f: 0x0117, 0x00: Math.round(31 / 0.0078125) }));
      const healthy = await selfTest(node, id);
      expect(healthy, healthy.detail).toMatchObject({ result: "ok" });
      expect(healthy.detail).toMatch(/; cable ok 31 °C; LED lit 1 s$/);
      // The probe's lead is cut: the TMP117 no longer acknowledges on the bus.
      await node.setI2c(cableTmp117Address, null);
      await node.advance(10_000);
      const cut = await selfTest(node, id);
      expect(cut.result).toBe("failed");
      expect(cut.detail).toMatch(/^cable FAIL: not answering; smoke ok/);
    });

    it("refuses a self-test while an alarm stands", async () => {
      const { id, node } = await boot();
      await node.setWaveform("leakage", mains(450));
      await node.advance(15_000);
      const outcome = await selfTest(node, id);
      expect(outcome).toMatchObject({ result: "refused", detail: "leakage alarm active: test the sensors once it clears" });
    });
  });
});
