import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XsScenario } from "../support/xs";

/**
 * The detectors' per-sample paths allocate nothing. Checked on XS's live-heap count, which is
 * exact and deterministic: a crank of 2,000 samples must leave the heap exactly as a crank of
 * none does. (How much the naive implementation leaves, and the compute both cost, is for
 * `npm run bench:edge`.)
 */
describe("per-sample allocation (in XS)", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/allocation.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  it.each(["smoke", "heat", "overcurrent", "leakage", "charging"])("%s allocates nothing per sample", async (detector) => {
    await xs.call({ op: "play", detector, count: 2_000 });
    const heapAfter = async (count: number) => {
      const before = (await xs.call({ op: "gc" })).meter.currentHeapCount;
      const { value, meter } = await xs.call<number>({ op: "play", detector, count });
      expect(value).toBe(0);
      return meter.currentHeapCount - before;
    };
    const idle = await heapAfter(0);
    expect(await heapAfter(2_000)).toBe(idle);
  });
});
