import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCommand } from "../../shared/codec";
import { nodeTopic } from "../../shared/topics";
import { XsScenario } from "../support/xs";

/** The node's link (outbox, uplink, session, backoff, commands), run inside the XS engine. */
describe("link, in XS", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/link.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  const run = async <T>(request: Record<string, unknown>) => {
    const { value } = await xs.call<T & { thrown?: string }>(request);
    expect(value.thrown).toBeUndefined();
    return value;
  };

  describe("outbox", () => {
    it("keeps unsent messages in flash across a reboot and sends them first, in the order raised", async () => {
      const result = await run<{ restored: number; order: string[]; afterDrain: { depth: number; slotsInFlash: number }; keys: string[] }>({
        case: "outbox-survives-reboot",
      });
      // a1 was acknowledged before the power failed; e1 was in flight, so it goes again.
      expect(result.restored).toBe(4);
      expect(result.order).toEqual(["e1", "a2", "t1", "a3", "a4"]);
      expect(result.afterDrain).toMatchObject({ depth: 0, slotsInFlash: 0 });
      expect(result.keys).toEqual(["obn"]);
    });

    it("keeps an alarm after the broker's PUBACK until the cloud's receipt, sends it again when none comes, and lets it go after three PUBACKs while no receipt has come this boot", async () => {
      type Snap = { depth: number; alarms: number; slotsInFlash: number; dropped: { alarm: number } };
      const r = await run<{
        afterFirstAck: Snap & { awaiting: number };
        beforeDue: number[];
        withoutReceipts: Snap & { sends: number[]; logged: string[] };
        unknown: number;
        waiting: Snap & { sends: number; awaiting: number };
        confirmed: number;
        afterReceipt: Snap;
        otherBoot: number;
        malformed: number;
        resentOnReconnect: number[];
        full: Snap & { awaiting: number; unconfirmed: number };
      }>({ case: "uplink-alarm-receipts" });
      // Acknowledged by the broker, still in flash, waiting for the receipt, and not sent again early.
      expect(r.afterFirstAck).toMatchObject({ depth: 1, slotsInFlash: 1, awaiting: 1 });
      expect(r.beforeDue).toEqual([1]);
      // Sent three times, then let go: this cloud has sent no receipt.
      expect(r.withoutReceipts).toMatchObject({ sends: [1, 1, 1], depth: 0, slotsInFlash: 0 });
      // Said once, so whoever reads the node's log can tell receipts are not getting through.
      expect(r.withoutReceipts.logged).toEqual([
        "warn no receipt from the cloud this boot: alarms leave the outbox on the broker's PUBACK (can this node read sw/v1/node/smoke-007/cmd/stored?)",
      ]);
      expect(r.unknown).toBe(0);
      // Once receipts are known to come, an alarm waits for its own through six PUBACKs.
      expect(r.waiting).toMatchObject({ sends: 6, depth: 1, slotsInFlash: 1, awaiting: 1 });
      expect(r.confirmed).toBe(1);
      expect(r.afterReceipt).toMatchObject({ depth: 0, slotsInFlash: 0 });
      expect(r.otherBoot).toBe(0);
      expect(r.malformed).toBe(0);
      expect(r.resentOnReconnect).toEqual([3]);
      // Eight slots of acknowledged alarms waiting: the ninth alarm took the oldest one's slot, none dropped.
      // (Offline, so all eight go again at the next connection: none waits for its due time.)
      expect(r.full).toMatchObject({ depth: 8, alarms: 8, slotsInFlash: 8, awaiting: 0, unconfirmed: 1, dropped: { alarm: 0 } });
    });

    it("when full drops telemetry first, then events, and never evicts an alarm", async () => {
      type State = { depth: number; alarms: number; dropped: { telemetry: number; event: number; alarm: number }; slotsInFlash: number };
      const { steps, order, end } = await run<{ steps: Array<{ pushed: string; kept: boolean; state: State }>; order: string[]; end: State }>({
        case: "outbox-full",
      });
      const at = (payload: string) => steps.find((s) => s.pushed === payload)!;
      expect(at("a1").state).toMatchObject({ depth: 6, slotsInFlash: 6, dropped: { telemetry: 0, event: 0, alarm: 0 } });
      expect(at("t5")).toMatchObject({ kept: true, state: { dropped: { telemetry: 1 } } });
      expect(at("a4").state.dropped).toEqual({ telemetry: 5, event: 0, alarm: 0 });
      expect(at("e3")).toMatchObject({ kept: false, state: { dropped: { telemetry: 5, event: 1, alarm: 0 } } });
      expect(at("a6").state).toMatchObject({ alarms: 6, slotsInFlash: 6, dropped: { event: 3, alarm: 0 } });
      // Every slot holds an alarm: the next two wait in RAM, and only past that is one refused.
      expect(at("a8")).toMatchObject({ kept: true, state: { depth: 8, alarms: 8, slotsInFlash: 6 } });
      expect(at("a9")).toMatchObject({ kept: false, state: { dropped: { alarm: 1 } } });
      expect(order).toEqual(["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"]);
      expect(end).toEqual({ depth: 0, alarms: 0, dropped: { telemetry: 6, event: 3, alarm: 1 }, slotsInFlash: 0 });
    });

    it("sends everything a larger outbox left when a build shrinks it", async () => {
      const result = await run<{ restored: number; inFlash: number; order: string[]; end: { depth: number; slotsInFlash: number }; capacityKey: string }>({
        case: "outbox-shrinks",
      });
      expect(result).toMatchObject({ restored: 8, inFlash: 4, capacityKey: "4", end: { depth: 0, slotsInFlash: 0 } });
      expect(result.order).toEqual(["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"]);
    });
  });

  it("sends a window at a time and, after a drop, everything not yet receipted again from the oldest", async () => {
    const result = await run<{
      whileOffline: number;
      firstWindow: number[];
      afterReconnect: number[];
      everySend: number[];
      awaitingReceipt: number;
      queued: number;
      telemetryQos: number;
      telemetryTopic: string;
      flashKeys: number;
    }>({ case: "uplink-replays-in-order" });
    expect(result.whileOffline).toBe(0);
    expect(result.firstWindow).toEqual([1, 2, 3, 4]);
    // 1 and 2 had their PUBACKs but no receipt from the cloud: a broker that restarted may have lost them.
    expect(result.afterReconnect.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(result.everySend).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(result.awaitingReceipt).toBe(10);
    expect(result).toMatchObject({ queued: 0, flashKeys: 0, telemetryQos: 0, telemetryTopic: "sw/v1/node/smoke-007/telemetry" });
  });

  it("backs off with full jitter: delays within the doubling ceiling, spread across it, reset after success", async () => {
    const { sequences } = await run<{ sequences: number[][] }>({ case: "backoff", seed: 12345, draws: 400 });
    const ceilings = [1000, 2000, 4000, 8000, 16_000, 16_000, 16_000, 1000];
    for (const delays of sequences) {
      delays.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(100);
        expect(delay).toBeLessThanOrEqual(ceilings[i]);
      });
    }
    // Spread: the first retries of 400 nodes fill each tenth of their window.
    const firsts = sequences.map((d) => d[0]);
    const tenths = Array.from({ length: 10 }, (_, i) => firsts.filter((ms) => ms >= 100 + i * 90 && ms < 100 + (i + 1) * 90).length);
    expect(Math.min(...tenths)).toBeGreaterThan(20);
    expect(Math.max(...tenths)).toBeLessThan(65);
  });

  it("spreads the first connection after boot, backs off after failures, announces online naming its will", async () => {
    const result = await run<{
      beforeSpread: number;
      connectTimes: number[];
      will: Record<string, unknown>;
      online: Record<string, unknown>;
      subscribed: string[];
      attempts: number;
    }>({ case: "session" });
    expect(result.beforeSpread).toBe(0);
    expect(result.connectTimes).toEqual([2000, 2250, 24_000, 45_000]);
    expect(result.will).toMatchObject({ type: "status", online: false, seq: 4, retain: true, clientId: "smoke-007", keepAliveMs: 30_000 });
    expect(result.online).toMatchObject({ type: "status", online: true, seq: 5, willSeq: 4, firmware: "9.9.9", retain: true, qos: 1 });
    expect(result.subscribed).toEqual(["sw/v1/node/smoke-007/cmd", "sw/v1/node/smoke-007/cmd/stored"]);
    expect(result.attempts).toBe(4);
  });

  it("acks every command once with its result, refuses what is malformed or for another node, and never runs one twice", async () => {
    const topic = nodeTopic("smoke-007", "cmd");
    const cmd = (id: string, body: Record<string, unknown>, node = "smoke-007") => ({ topic, payload: encodeCommand({ v: 1, type: "command", id, node, ...body } as never) });
    const inputs = [
      cmd("c1", { op: "config", config: { telemetryIntervalMs: 30_000 } }),
      cmd("c2", { op: "config", config: { telemetryIntervalMs: 5 } }),
      cmd("c3", { op: "relay-test", durationMs: 500 }),
      cmd("c4", { op: "display", text: "boom" }),
      cmd("c5", { op: "display", text: "Keep exits clear" }),
      cmd("c6", { op: "reboot" }),
      cmd("c1", { op: "config", config: { telemetryIntervalMs: 30_000 } }),
      cmd("c8", { op: "reboot" }, "smoke-008"),
      { topic, payload: "not json" },
      cmd("c10", { op: "self-destruct" }),
      cmd("c11", { op: "enable" }),
      cmd("c12", { op: "self-test" }),
    ];
    const { calls, acks } = await run<{ calls: string[]; acks: Array<Record<string, unknown>> }>({ case: "commands", inputs });
    expect(calls).toEqual(['config {"telemetryIntervalMs":30000}', 'config {"telemetryIntervalMs":5}', "relay 500", "display Keep exits clear", "reboot", "self-test"]);
    expect(acks.map((a) => [a.command, a.op, a.result])).toEqual([
      ["c1", "config", "ok"],
      ["c2", "config", "refused"],
      ["c3", "relay-test", "ok"],
      ["c4", "display", "failed"],
      ["c5", "display", "ok"],
      ["c6", "reboot", "ok"],
      ["c1", "config", "ok"],
      ["c8", "reboot", "refused"],
      ["", "unknown", "refused"],
      ["c10", "self-destruct", "refused"],
      ["c11", "enable", "refused"],
      ["c12", "self-test", "failed"],
    ]);
    expect(acks[1].detail).toMatch(/at least 1000/);
    expect(acks[3].detail).toBe("display bus timed out");
    expect(acks[7].detail).toMatch(/wrong-node: .*smoke-008/);
    expect(acks[8].detail).toMatch(/^malformed-json/);
    expect(acks[10].detail, "a kind without the hardware refuses").toBe("this node has no lock to enable or disable");
    expect(acks[11].detail, "a handler's own result and words").toBe("chamber reads 0: photodiode open");
    expect(new Set(acks.map((a) => a.seq)).size).toBe(acks.length);
  });
});
