import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XsScenario } from "../support/xs";

/** The node's link under the faults of issue 13, inside the XS engine. */
describe("link faults, in XS", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/link-faults.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  const run = async <T>(request: Record<string, unknown>) => {
    const { value } = await xs.call<T & { thrown?: string }>(request);
    expect(value.thrown).toBeUndefined();
    return value;
  };

  it("does not stall when a full outbox evicts the event in flight: the alarms behind it go", async () => {
    const result = await run<{
      beforeAck: { published: number; inFlight: number; depth: number };
      afterAck: { published: number; inFlight: number; depth: number };
      sentKinds: string[];
      end: { depth: number; inFlight: number; dropped: { event: number; alarm: number } };
    }>({ case: "evicted-in-flight" });
    // Today's code (before issue 13) sent the two events and then nothing: every alarm waited on a PUBACK that matched nothing.
    expect(result.sentKinds.filter((k) => k === "alarm")).toHaveLength(3);
    // Each eviction of the entry in flight frees the window at once: the next goes before the stray PUBACK.
    expect(result.sentKinds.slice(0, 3)).toEqual(["event", "event", "alarm"]);
    expect(result.beforeAck.inFlight).toBe(1);
    expect(result.end).toEqual({ depth: 0, inFlight: 0, dropped: { telemetry: 0, event: 2, alarm: 0 } });
  });

  it("keeps alarms in RAM and sends them when flash is full, never throwing into the detector", async () => {
    const result = await run<{
      threw: string | null;
      kept: boolean[];
      whileFull: { depth: number; alarms: number; inFlash: number };
      sent: string[];
      end: { depth: number; flashErrors: number };
      errors: number;
      boot: { bootId: number; how: string };
    }>({ case: "flash-full" });
    expect(result.threw).toBeNull();
    expect(result.kept).toEqual([true, true, true, false]);
    expect(result.whileFull).toEqual({ depth: 4, alarms: 4, inFlash: 1 });
    expect(result.sent).toEqual(["alarm", "alarm", "alarm", "alarm"]);
    expect(result.end.depth).toBe(0);
    expect(result.end.flashErrors).toBeGreaterThanOrEqual(4);
    expect(result.errors).toBe(result.end.flashErrors);
    // The boot counter cannot be saved either: the boot takes a random era rather than repeat an id.
    expect(result.boot.how).toBe("unsaved");
  });

  it("starts a new boot era when flash was erased or the counter torn, and counts on otherwise", async () => {
    const result = await run<{ ids: number[]; hows: string[]; eras: number[]; fromLegacy: { bootId: number; how: string }; repeats: number; largest: number }>({
      case: "boot-eras",
      trials: 200,
    });
    expect(result.hows).toEqual(["new-era", "counted", "counted", "new-era", "counted", "new-era"]);
    const [first, second, third, erased, afterErase, torn] = result.ids;
    expect([second - first, third - first]).toEqual([1, 2]);
    expect(afterErase - erased).toBe(1);
    expect(new Set([result.eras[0], result.eras[3], result.eras[5]]).size).toBe(3);
    expect(torn).not.toBe(afterErase + 1);
    expect(result.ids.every((id) => Number.isSafeInteger(id) && id > 0)).toBe(true);
    expect(result.fromLegacy).toEqual({ bootId: 42, how: "counted" });
    expect(result.repeats).toBe(0);
    // Below the largest boot the ingest accepts (cloud/ingest/sender-rules.ts).
    expect(result.largest).toBeLessThan(2 ** 31);
  });

  it("loses no stored alarm and sends nothing torn when the power fails part-way through a flash write", async () => {
    const result = await run<{ trials: number; cutsDuringWrite: number; restoredTotal: number; tornSlots: number; lost: number; garbage: number }>({
      case: "power-cuts",
      trials: 150,
      seed: 2026,
    });
    expect(result.cutsDuringWrite).toBeGreaterThan(50);
    expect(result.tornSlots).toBeGreaterThan(0);
    expect(result.lost).toBe(0);
    expect(result.garbage).toBe(0);
  });
});
