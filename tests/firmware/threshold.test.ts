import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XsScenario } from "../support/xs";

const RAISED = 1;
const CLEARED = 2;

describe("threshold detector (in XS)", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/threshold.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  const run = (samples: number[], holdSamples = 3) =>
    xs.call<{ changes: Array<[number, number]>; active: boolean; evidence: number[] }>({ raiseAt: 700, clearAt: 460, holdSamples, samples });

  it("raises after the hold and clears below the hysteresis band", async () => {
    const samples = [300, 300, 800, 800, 800, 800, 500, 500, 500, 400, 400, 400];
    const { value } = await run(samples);
    expect(value.changes).toEqual([
      [4, RAISED],
      [11, CLEARED],
    ]);
    expect(value.active).toBe(false);
  });

  it("gives one alarm, not a hundred, for a value dancing on the threshold", async () => {
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) samples.push(i % 2 ? 705 : 695);
    expect((await run(samples, 1)).value.changes).toEqual([[1, RAISED]]);
    expect((await run(samples, 3)).value.changes).toEqual([]);
  });

  it("keeps the last samples as evidence, oldest first", async () => {
    const samples = Array.from({ length: 20 }, (_, i) => i);
    const { value } = await run(samples);
    expect(value.evidence).toEqual(samples.slice(4));
  });
});
