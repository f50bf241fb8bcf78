import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SimFlash } from "../../firmware/platform/sim/host/sim-flash";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { encodeCommand } from "../../shared/codec";
import { nodeTopic } from "../../shared/topics";
import { dividerCounts, ntcCounts } from "../../firmware/platform/sim/host/analog-physics";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { NodeMessages } from "../support/node-messages";
import { capsuleNodeConfig } from "../support/sim-config";
import { waitFor } from "../support/wait";

/** Contact levels as the capsule is wired: a closed contact pulls its pin low. */
const CLOSED = 0;
const OPEN = 1;
const AED_IN_PLACE = 0;
const AED_GONE = 1;

/**
 * The capsule's firmware in XS with simulated hardware: reed contacts, the AED's switch, the
 * cabinet thermistor and battery divider on the ADC, and a Nextion display on the UART.
 */
describe("capsule node (in XS)", () => {
  let broker: Mosquitto;
  let messages: NodeMessages;
  const running: SimNode[] = [];
  let serial = 0;
  const defaults = capsuleNodeConfig("unused");

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

  const normal = { capsuleDoor: CLOSED, aedCabinetDoor: CLOSED, aedPresent: AED_IN_PLACE, cabinetNtc: ntcCounts(23, defaults.ntc), supplyVoltage: dividerCounts(13.2, defaults.supply.ratio) };

  async function boot(options: { flash?: SimFlash; id?: string; overrides?: Parameters<typeof capsuleNodeConfig>[1] } = {}) {
    const id = options.id ?? `capsule-${process.pid % 1000}-${++serial}`;
    const node = await SimNode.boot({ kind: "capsule", brokerUrl: broker.url, protocolVersion: 5, config: capsuleNodeConfig(id, options.overrides), flash: options.flash, levels: normal, onLog: () => {} });
    running.push(node);
    await waitFor(async () => (await node.inspect()).connected, "the node to connect");
    return { id, node };
  }

  it("reports doors, AED removal (urgent alarm) and AED return, and ignores reed bounce", async () => {
    const { id, node } = await boot();
    await node.advance(11_000);
    const started = await messages.event(id, "started");
    expect(started.state).toMatchObject({ kind: "capsule", capsuleDoor: "closed", aedCabinetDoor: "closed", aed: "present", temperatureC: 23, supplyV: 13.2, aedRangeC: { minC: 0, maxC: 50 } });
    expect(messages.alarms(id), "a healthy capsule raises nothing at boot").toEqual([]);

    // Wind rattles the door: 100 ms blips.
    for (let i = 0; i < 10; i++) {
      await node.setPins({ capsuleDoor: i % 2 ? CLOSED : OPEN });
      await node.advance(100);
    }
    await node.setPins({ capsuleDoor: CLOSED });
    await node.advance(1000);

    await node.setPins({ capsuleDoor: OPEN });
    await node.advance(500);
    await node.setPins({ aedCabinetDoor: OPEN });
    await node.advance(500);
    await node.setPins({ aedPresent: AED_GONE });
    await node.advance(700);
    const removed = await messages.event(id, "aed-removed");
    expect(removed.state).toMatchObject({ capsuleDoor: "open", aedCabinetDoor: "open", aed: "removed" });
    const alarm = await messages.alarm(id, "aed-removed", "raised");
    expect(alarm).toMatchObject({ severity: "urgent", value: 1 });
    expect((await node.inspect()).state).toMatchObject({ aed: "removed" });

    await node.setPins({ aedPresent: AED_IN_PLACE });
    await node.advance(700);
    await node.setPins({ aedCabinetDoor: CLOSED, capsuleDoor: CLOSED });
    await node.advance(500);
    const returned = await messages.event(id, "aed-returned");
    expect(returned.state).toMatchObject({ kind: "capsule", aed: "present" });
    await messages.alarm(id, "aed-removed", "cleared");
    const closed = await messages.event(id, "capsule-closed");
    expect(closed.state).toMatchObject({ capsuleDoor: "closed", aedCabinetDoor: "closed", aed: "present" });
    expect(messages.events(id, "capsule-opened"), "bounce gave no event").toHaveLength(1);
    expect(messages.events(id, "aed-cabinet-opened")).toHaveLength(1);
    await messages.event(id, "aed-cabinet-closed");
  });

  it("raises one maintenance alarm for a door left open, not one a minute, and clears it on closing", async () => {
    const { id, node } = await boot();
    await node.setPins({ capsuleDoor: OPEN });
    await node.advance(9 * 60_000);
    expect(messages.alarms(id, "door-left-open")).toHaveLength(0);
    await node.advance(60_000 + 500);
    const raised = await messages.alarm(id, "door-left-open", "raised");
    expect(raised).toMatchObject({ severity: "warning", value: 10, unit: "min", threshold: 10 });
    // Another 50 minutes open: still one alarm.
    await node.advance(50 * 60_000);
    await node.setPins({ capsuleDoor: CLOSED });
    await node.advance(500);
    const cleared = await messages.alarm(id, "door-left-open", "cleared");
    expect(cleared.value).toBe(60);
    expect(messages.alarms(id, "door-left-open").filter((a) => a.state === "raised")).toHaveLength(1);
    expect(messages.events(id, "door-left-open")).toHaveLength(1);

    // A new opening is a new chance to forget the door.
    await node.setPins({ capsuleDoor: OPEN });
    await node.advance(11 * 60_000);
    await messages.alarm(id, "door-left-open", "raised", 2);
  });

  it("watches the cabinet against the AED's 0–50 °C operating range, with hysteresis, and the backup battery", async () => {
    const { id, node } = await boot({ overrides: { sampleIntervalMs: 10_000 } });
    await node.advance(30_000);
    expect((await node.inspect()).state).toMatchObject({ temperatureC: 23, supplyV: 13.2 });

    await node.setPins({ cabinetNtc: ntcCounts(55, defaults.ntc) });
    await node.advance(30_000);
    const hot = await messages.event(id, "temperature-out-of-range");
    expect(hot.data!.temperatureC as number).toBeCloseTo(55, 0);
    expect(await messages.alarm(id, "cabinet-temperature", "raised")).toMatchObject({ severity: "warning", threshold: 50 });
    // 49 °C is inside the range but not past the 2 °C hysteresis: still out.
    await node.setPins({ cabinetNtc: ntcCounts(49, defaults.ntc) });
    await node.advance(60_000);
    expect(messages.events(id, "temperature-normal")).toHaveLength(0);
    await node.setPins({ cabinetNtc: ntcCounts(45, defaults.ntc) });
    await node.advance(30_000);
    await messages.event(id, "temperature-normal");
    await messages.alarm(id, "cabinet-temperature", "cleared");

    // A winter night in an unheated lobby.
    await node.setPins({ cabinetNtc: ntcCounts(-5, defaults.ntc) });
    await node.advance(30_000);
    expect(await messages.alarm(id, "cabinet-temperature", "raised", 2)).toMatchObject({ threshold: 0 });

    await node.setPins({ supplyVoltage: dividerCounts(11.2, defaults.supply.ratio) });
    await node.advance(30_000);
    const low = await messages.event(id, "battery-low");
    expect(low.data!.supplyV as number).toBeCloseTo(11.2, 1);
    await messages.alarm(id, "battery-low", "raised");
    await node.setPins({ supplyVoltage: dividerCounts(12.6, defaults.supply.ratio) });
    await node.advance(30_000);
    await messages.event(id, "battery-ok");

    // The thermistor's wire is cut: no temperature rather than a wrong one.
    await node.setPins({ cabinetNtc: 4095 });
    await node.advance(10_000);
    await messages.alarm(id, "sensor-fault", "raised");
    expect((await node.inspect()).state).toMatchObject({ temperatureC: null });
  });

  it("shows the display line the cloud sets, acks it over MQTT, keeps it across a restart, and refuses a bad one", async () => {
    const flash = new SimFlash();
    const { id, node } = await boot({ flash, overrides: { display: { ...defaults.display, defaultText: "AED inside · 内有AED" } } });
    await node.advance(500);
    expect((await node.outputs()).display).toBe("AED inside · 内有AED");

    const display = encodeCommand({ v: 1, type: "command", id: "disp-1", node: id, op: "display", text: "电动车请勿进电梯" });
    await messages.client.publishAsync(nodeTopic(id, "cmd"), display, { qos: 1 });
    const ack = await waitFor(() => messages.acks(id).find((a) => a.command === "disp-1"), "the ack");
    expect(ack).toMatchObject({ op: "display", result: "ok", detail: 'display shows "电动车请勿进电梯"' });
    expect((await node.outputs()).display).toBe("电动车请勿进电梯");
    expect((await messages.event(id, "display-set")).state).toMatchObject({ display: "电动车请勿进电梯" });

    // The broker delivers the same command again: acked again, run once.
    await messages.client.publishAsync(nodeTopic(id, "cmd"), display, { qos: 1 });
    await waitFor(() => messages.acks(id).filter((a) => a.command === "disp-1").length === 2, "the second ack");
    expect(messages.events(id, "display-set")).toHaveLength(1);

    await messages.client.publishAsync(nodeTopic(id, "cmd"), JSON.stringify({ v: 1, type: "command", id: "disp-2", node: id, op: "display", text: 'say "hi"' }), { qos: 1 });
    const refused = await waitFor(() => messages.acks(id).find((a) => a.command === "disp-2"), "the refusal");
    expect(refused).toMatchObject({ result: "refused", op: "display" });
    expect(refused.detail).toMatch(/may not contain/);
    expect((await node.outputs()).display, "a refused line is not shown").toBe("电动车请勿进电梯");
    expect(await node.command({ v: 1, type: "command", id: "en-1", node: id, op: "enable" })).toEqual({ id: "en-1", op: "enable", result: "refused", detail: "this node has no lock to enable or disable" });
    expect(await node.command({ v: 1, type: "command", id: "st-1", node: id, op: "self-test" })).toEqual({
      id: "st-1",
      op: "self-test",
      result: "ok",
      detail: "capsule door closed; AED cabinet closed; AED present; cabinet 23 °C; supply 13.2 V",
    });

    await node.stop();
    running.splice(running.indexOf(node), 1);
    const again = await SimNode.boot({ kind: "capsule", brokerUrl: broker.url, protocolVersion: 5, config: capsuleNodeConfig(id), flash, levels: normal, onLog: () => {} });
    running.push(again);
    expect((await again.outputs()).display).toBe("电动车请勿进电梯");
  });

  it("finds an AED already missing at boot", async () => {
    const id = `capsule-${process.pid % 1000}-${++serial}`;
    const node = await SimNode.boot({ kind: "capsule", brokerUrl: broker.url, protocolVersion: 5, config: capsuleNodeConfig(id), levels: { ...normal, aedPresent: AED_GONE }, onLog: () => {} });
    running.push(node);
    await node.advance(1000);
    expect((await node.inspect()).state).toMatchObject({ aed: "removed" });
    await waitFor(async () => (await node.inspect()).connected, "the node to connect");
    await messages.alarm(id, "aed-removed", "raised");
  });
});
