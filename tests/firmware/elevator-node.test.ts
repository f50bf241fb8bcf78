import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SimFlash } from "../../firmware/platform/sim/host/sim-flash";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { esp32DevkitC, type BoardDefinition } from "../../hardware/boards";
import type { CommandMessage } from "../../shared/messages";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { NodeMessages } from "../support/node-messages";
import { elevatorNodeConfig } from "../support/sim-config";
import { waitFor } from "../support/wait";

/**
 * The elevator lock's firmware in XS with simulated hardware around it: the detector's output and
 * heartbeat, the maintenance key, the relay behind its 74HC123 monostable, the warning light and
 * the DFPlayer. Messages are read off a real Mosquitto, as the cloud would get them.
 */
describe("elevator lock node (in XS)", () => {
  let broker: Mosquitto;
  let messages: NodeMessages;
  const running: SimNode[] = [];
  let serial = 0;

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

  const HEARTBEAT_HALF_PERIOD_MS = 500;
  /** A release takes effect when the monostable runs out: at most t_W (450 ms) after the last pulse. */
  const RELEASE_MS = 500;

  /** Boots a node whose detector is alive and sees an empty car, and lets its inputs settle. */
  async function boot(options: { overrides?: Parameters<typeof elevatorNodeConfig>[1]; flash?: SimFlash; board?: BoardDefinition; id?: string } = {}) {
    const id = options.id ?? `lift-${process.pid % 1000}-${++serial}`;
    const node = await SimNode.boot({
      kind: "elevator",
      brokerUrl: broker.url,
      protocolVersion: 5,
      config: elevatorNodeConfig(id, options.overrides),
      flash: options.flash,
      board: options.board,
      onLog: () => {},
    });
    running.push(node);
    await node.setPins({ ebikeDetect: 0, maintenanceKey: 0 });
    await node.setPulses({ detectorAlive: HEARTBEAT_HALF_PERIOD_MS });
    await waitFor(async () => (await node.inspect()).connected, "the node to connect");
    await node.advance(4000);
    return { id, node };
  }

  it("holds a car with an e-bike until it leaves: detection → relay, light, voice → release", async () => {
    const { id, node } = await boot();
    expect(await node.outputs()).toMatchObject({ relayLock: false, warningLight: false });
    await messages.event(id, "started");

    await node.setPins({ ebikeDetect: 1 });
    await node.advance(900);
    expect((await node.outputs()).relayLock, "not before the detection is confirmed (1 s)").toBe(false);
    await node.advance(200);
    const held = await node.outputs();
    expect(held).toMatchObject({ relayLock: true, warningLight: true });
    expect(held.voice).toMatchObject({ track: 1, plays: 1, badFrames: 0 });
    expect((await node.inspect()).state).toMatchObject({ lock: "held", ebike: true, detector: "ok" });

    // The rider argues for 20 s: the relay stays held and the prompt repeats every 8 s.
    await node.advance(20_000);
    expect(await node.outputs()).toMatchObject({ relayLock: true, voice: { plays: 3 } });

    await node.setPins({ ebikeDetect: 0 });
    await node.advance(2900);
    expect((await node.outputs()).relayLock, "not before the car looks clear for 3 s").toBe(true);
    await node.advance(100 + RELEASE_MS);
    const released = await node.outputs();
    expect(released).toMatchObject({ relayLock: false, warningLight: false, voice: { track: null } });

    const start = await messages.event(id, "hold-start");
    const end = await messages.event(id, "hold-end");
    expect(start.state).toMatchObject({ kind: "elevator", lock: "held" });
    expect(end).toMatchObject({ releasedBy: "clear", state: { lock: "released" } });
    // Held from the confirmed detection to the confirmed clear, give or take a 50 ms tick.
    expect(end.durationMs).toBeGreaterThanOrEqual(22_950);
    expect(end.durationMs).toBeLessThanOrEqual(23_150);
  });

  it("ignores detector flicker shorter than the confirmation time, and a short gap during a hold", async () => {
    const { id, node } = await boot();
    // 10 s of a detector that cannot make up its mind: 300 ms on, 300 ms off.
    for (let i = 0; i < 17; i++) {
      await node.setPins({ ebikeDetect: i % 2 ? 0 : 1 });
      await node.advance(300);
      expect((await node.outputs()).relayLock).toBe(false);
    }
    await node.setPins({ ebikeDetect: 0 });
    await node.advance(1000);

    await node.setPins({ ebikeDetect: 1 });
    await node.advance(1200);
    expect((await node.outputs()).relayLock).toBe(true);
    // The rider steps out of view for 2 s: still held.
    await node.setPins({ ebikeDetect: 0 });
    await node.advance(2000);
    await node.setPins({ ebikeDetect: 1 });
    await node.advance(5000);
    expect((await node.outputs()).relayLock).toBe(true);

    await messages.event(id, "hold-start");
    await node.setPins({ ebikeDetect: 0 });
    await node.advance(3500);
    await messages.event(id, "hold-end");
    expect(messages.events(id, "hold-start"), "only the real detection held the car").toHaveLength(1);
    expect(messages.events(id, "hold-end")).toHaveLength(1);
  });

  it("releases when the detector's heartbeat stops mid-hold, and waits for it to come back clear", async () => {
    const { id, node } = await boot();
    await node.setPins({ ebikeDetect: 1 });
    await node.advance(1500);
    expect((await node.outputs()).relayLock).toBe(true);

    // The detector's cable is pulled: its output and heartbeat both go quiet (output low).
    await node.setPulses({ detectorAlive: null });
    await node.advance(2500);
    expect((await node.outputs()).relayLock, "within the 3 s timeout, still held").toBe(true);
    await node.advance(1200);
    expect(await node.outputs()).toMatchObject({ relayLock: false, warningLight: false, voice: { track: null } });
    expect((await node.inspect()).state).toMatchObject({ detector: "lost", lock: "released" });

    const end = await messages.event(id, "hold-end");
    expect(end).toMatchObject({ releasedBy: "fault", cause: "detector-lost", state: { detector: "lost" } });
    const lost = await messages.alarm(id, "detector-lost", "raised");
    expect(lost).toMatchObject({ severity: "warning", unit: "ms", threshold: 3000 });
    await messages.event(id, "detector-lost");

    // The detector comes back still seeing the e-bike: the car is not held again.
    await node.setPulses({ detectorAlive: HEARTBEAT_HALF_PERIOD_MS });
    await node.advance(5000);
    expect((await node.outputs()).relayLock).toBe(false);
    await messages.alarm(id, "detector-lost", "cleared");
    await messages.event(id, "detector-restored");
    // Once the car has been clear, a new detection holds again.
    await node.setPins({ ebikeDetect: 0 });
    await node.advance(4000);
    await node.setPins({ ebikeDetect: 1 });
    await node.advance(1500);
    expect((await node.outputs()).relayLock).toBe(true);
  });

  it("releases at the maximum hold with a maintenance alarm, and does not re-lock the same e-bike", async () => {
    const { id, node } = await boot();
    await node.setPins({ ebikeDetect: 1 });
    await node.advance(1000 + 50);
    expect((await node.outputs()).relayLock).toBe(true);
    await node.advance(179_000);
    expect((await node.outputs()).relayLock, "held just before 3 minutes").toBe(true);
    await node.advance(1000 + RELEASE_MS);
    expect((await node.outputs()).relayLock, "released at 3 minutes").toBe(false);

    const end = await messages.event(id, "hold-end");
    expect(end.releasedBy).toBe("max-hold");
    expect(end.durationMs).toBe(180_000);
    const alarm = await messages.alarm(id, "lock-max-hold", "raised");
    expect(alarm).toMatchObject({ severity: "warning", value: 180, unit: "s", threshold: 180 });

    // The e-bike stays: no second hold.
    await node.advance(60_000);
    expect((await node.outputs()).relayLock).toBe(false);
    // It leaves: the alarm clears and the lock is armed again.
    await node.setPins({ ebikeDetect: 0 });
    await node.advance(3500);
    await messages.alarm(id, "lock-max-hold", "cleared");
    expect(messages.events(id, "hold-start")).toHaveLength(1);
  });

  it("gives way to the maintenance key at once, and holds nothing while it is turned", async () => {
    const { id, node } = await boot();
    await node.setPins({ ebikeDetect: 1 });
    await node.advance(1500);
    expect((await node.outputs()).relayLock).toBe(true);

    await node.setPins({ maintenanceKey: 1 });
    await node.advance(250 + RELEASE_MS);
    expect(await node.outputs()).toMatchObject({ relayLock: false, warningLight: false });
    expect(await messages.event(id, "hold-end")).toMatchObject({ releasedBy: "override", state: { override: true } });
    await messages.event(id, "override-on");

    // While the key is on, a fresh detection holds nothing.
    await node.setPins({ ebikeDetect: 0 });
    await node.advance(4000);
    await node.setPins({ ebikeDetect: 1 });
    await node.advance(5000);
    expect((await node.outputs()).relayLock).toBe(false);

    await node.setPins({ maintenanceKey: 0, ebikeDetect: 0 });
    await node.advance(4000);
    await messages.event(id, "override-off");
    await node.setPins({ ebikeDetect: 1 });
    await node.advance(1500);
    expect((await node.outputs()).relayLock, "armed again after the key is off").toBe(true);
  });

  it("leaves the relay released after a crash mid-hold, reports the interrupted hold, and re-arms only after the car clears", async () => {
    const flash = new SimFlash();
    const first = await boot({ flash });
    await first.node.setPins({ ebikeDetect: 1 });
    await first.node.advance(1500);
    expect((await first.node.outputs()).relayLock).toBe(true);
    await messages.event(first.id, "hold-start");

    first.node.kill();
    running.splice(running.indexOf(first.node), 1);

    // Same flash, same node id: the board restarts, the e-bike is still in the car.
    const again = await SimNode.boot({ kind: "elevator", brokerUrl: broker.url, protocolVersion: 5, config: elevatorNodeConfig(first.id), flash, onLog: () => {} });
    running.push(again);
    expect((await again.outputs()).relayLock, "released from the first instruction").toBe(false);
    await again.setPins({ ebikeDetect: 1, maintenanceKey: 0 });
    await again.setPulses({ detectorAlive: HEARTBEAT_HALF_PERIOD_MS });
    await waitFor(async () => (await again.inspect()).connected, "the restarted node to connect");
    await again.advance(30_000);
    expect((await again.outputs()).relayLock, "the same e-bike does not re-lock the car after a reset").toBe(false);

    const interrupted = await waitFor(() => messages.events(first.id, "hold-end").find((e) => e.cause === "reset"), "the interrupted hold's report");
    expect(interrupted).toMatchObject({ releasedBy: "fault", state: { lock: "released" } });
    expect(interrupted.boot).toBeGreaterThan(messages.events(first.id, "hold-start")[0].boot);

    await again.setPins({ ebikeDetect: 0 });
    await again.advance(3500);
    await again.setPins({ ebikeDetect: 1 });
    await again.advance(1500);
    expect((await again.outputs()).relayLock, "a new detection after the car cleared").toBe(true);
  });

  it("drops the relay within the monostable's hold when the CPU hangs mid-hold (pulse drive), unlike a level-driven bench relay", async () => {
    const pulsed = await boot();
    await pulsed.node.setPins({ ebikeDetect: 1 });
    await pulsed.node.advance(1500);
    expect((await pulsed.node.outputs()).relayLock).toBe(true);
    await pulsed.node.hang();
    await pulsed.node.advance(300);
    expect((await pulsed.node.outputs()).relayLock).toBe(true);
    await pulsed.node.advance(200);
    expect((await pulsed.node.outputs()).relayLock, "no pulses for 0.5 s: the 74HC123 (t_W 0.45 s) has let go").toBe(false);

    const bench: BoardDefinition = {
      ...esp32DevkitC,
      outputDrive: { relayLock: { drive: "level", activeLevel: 0 }, warningLight: { drive: "level", activeLevel: 0 } },
    };
    const level = await boot({ board: bench });
    await level.node.setPins({ ebikeDetect: 1 });
    await level.node.advance(1500);
    expect((await level.node.outputs()).relayLock).toBe(true);
    await level.node.hang();
    await level.node.advance(60_000);
    expect((await level.node.outputs()).relayLock, "a level-driven relay stays held by a hung CPU: why the board uses pulses").toBe(true);
  });

  it("answers enable, disable and self-test through the link's command inbox, each acked over MQTT", async () => {
    const { id, node } = await boot();
    const cmd = (commandId: string, op: "enable" | "disable" | "self-test"): CommandMessage => ({ v: 1, type: "command", id: commandId, node: id, op });
    expect(await node.command(cmd("st-1", "self-test"))).toEqual({
      id: "st-1",
      op: "self-test",
      result: "ok",
      detail: "detector alive; maintenance key off; lock enabled; relay released; relay sense agrees; light and chime tested",
    });
    expect((await node.outputs()).voice).toMatchObject({ track: 2 });
    await node.advance(1000 + RELEASE_MS);
    expect((await node.outputs()).warningLight, "the light test ends after 1 s").toBe(false);

    await node.setPins({ ebikeDetect: 1 });
    await node.advance(1500);
    expect(await node.command(cmd("d-1", "disable"))).toMatchObject({ result: "ok", detail: "disabled; the hold was released" });
    await node.advance(RELEASE_MS);
    expect((await node.outputs()).relayLock).toBe(false);
    expect(await messages.event(id, "hold-end")).toMatchObject({ releasedBy: "disabled" });
    await messages.event(id, "lock-disabled");
    const acked = await waitFor(() => messages.acks(id).find((a) => a.command === "d-1"), "the disable's ack on the wire");
    expect(acked).toMatchObject({ op: "disable", result: "ok", detail: "disabled; the hold was released" });
    expect(await node.command(cmd("d-2", "disable"))).toMatchObject({ result: "ok", detail: "already disabled" });
    // The broker delivers d-1 again: the first answer again, not a second disable.
    expect(await node.command(cmd("d-1", "disable"))).toMatchObject({ result: "ok", detail: "disabled; the hold was released" });
    await node.setPins({ ebikeDetect: 0 });
    await node.advance(4000);
    await node.setPins({ ebikeDetect: 1 });
    await node.advance(3000);
    expect((await node.outputs()).relayLock, "a disabled lock holds nothing").toBe(false);
    expect(messages.events(id, "lock-disabled"), "d-1 redelivered ran once").toHaveLength(1);

    expect(await node.command(cmd("e-1", "enable"))).toMatchObject({ result: "ok", detail: "enabled" });
    await messages.event(id, "lock-enabled");
    expect(await node.command({ v: 1, type: "command", id: "x-1", node: id, op: "display", text: "hi" })).toMatchObject({ result: "refused", detail: "this node has no display" });
    expect(await node.command({ v: 1, type: "command", id: "x-2", node: id, op: "relay-test", durationMs: 500 })).toMatchObject({ result: "refused" });
    expect((await node.outputs()).relayLock, "a relay test never pulls the lock").toBe(false);

    await node.setPulses({ detectorAlive: null });
    await node.advance(4000);
    const failed = await node.command(cmd("st-2", "self-test"));
    expect(failed.result).toBe("failed");
    expect(failed.detail).toMatch(/^detector silent for \d+ ms/);
    await waitFor(() => messages.acks(id).find((a) => a.command === "st-2" && a.result === "failed"), "the failed self-test's ack");
  });

  it("raises a relay fault when the relay's sense contact disagrees with its drive", async () => {
    const { id, node } = await boot();
    // A welded contact: the sense pole reads closed though the relay is not driven.
    await node.setPins({ relaySense: 1 });
    await node.advance(1100);
    expect(await messages.alarm(id, "relay-fault", "raised")).toMatchObject({ severity: "alarm", value: 1, threshold: 0 });
    await node.setPins({ ebikeDetect: 1 });
    await node.advance(2000);
    expect((await node.inspect()).state, "a faulty relay is not trusted to hold").toMatchObject({ lock: "released" });
  });

  it("keeps the enabled setting across a restart and reports counts once per interval", async () => {
    const flash = new SimFlash();
    const { id, node } = await boot({ flash, overrides: { countsIntervalMs: 60_000 } });
    for (let ride = 0; ride < 2; ride++) {
      await node.setPins({ ebikeDetect: 1 });
      await node.advance(2000);
      await node.setPins({ ebikeDetect: 0 });
      await node.advance(3500);
    }
    await node.setPins({ maintenanceKey: 1 });
    await node.advance(500);
    await node.setPins({ ebikeDetect: 1 });
    await node.advance(2000);
    await node.advance(60_000 - 16_000 + 100);
    const report = await messages.event(id, "daily-counts");
    expect(report.data).toMatchObject({ blockedAttempts: 2, "released.clear": 2, detectedWhileDisabled: 1 });
    expect(report.data!.holdMsTotal).toBeGreaterThanOrEqual(2 * 4000);

    await node.command({ v: 1, type: "command", id: "d-9", node: id, op: "disable" });
    await node.stop();
    running.splice(running.indexOf(node), 1);
    const again = await SimNode.boot({ kind: "elevator", brokerUrl: broker.url, protocolVersion: 5, config: elevatorNodeConfig(id), flash, onLog: () => {} });
    running.push(again);
    expect((await again.inspect()).state).toMatchObject({ enabled: false });
  });
});
