import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { memoryLogger } from "../../cloud/log";
import { repeatWithoutOverlap } from "../../cloud/time/repeat-without-overlap";

/** The loop under the liveness sweep and the telemetry keeper. */
describe("repeatWithoutOverlap", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs the task every period, and no more once stopped", async () => {
    const log = memoryLogger();
    let runs = 0;
    const stop = repeatWithoutOverlap(async () => void runs++, { everyMs: 1000, log, failure: "task failed" });
    await vi.advanceTimersByTimeAsync(3500);
    expect(runs).toBe(3);
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(3);
  });

  it("skips the ticks that come while the last run is still going", async () => {
    const log = memoryLogger();
    let started = 0;
    let finish = () => {};
    const stop = repeatWithoutOverlap(
      () => {
        started++;
        return new Promise<void>((resolve) => (finish = resolve));
      },
      { everyMs: 1000, log, failure: "task failed" },
    );
    await vi.advanceTimersByTimeAsync(4500);
    expect(started).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(2);
    stop();
  });

  it("logs a failed run and tries again at the next tick", async () => {
    const log = memoryLogger();
    let runs = 0;
    const stop = repeatWithoutOverlap(
      async () => {
        if (++runs === 1) throw new Error("database is locked");
      },
      { everyMs: 1000, log, failure: "task failed" },
    );
    await vi.advanceTimersByTimeAsync(2500);
    expect(runs).toBe(2);
    expect(log.lines.filter((line) => line.includes("task failed"))).toEqual(['error task failed error="database is locked"']);
    stop();
  });

  it("starts no timer at 0 ms, leaving the task to be run by hand", async () => {
    let runs = 0;
    repeatWithoutOverlap(async () => void runs++, { everyMs: 0, log: memoryLogger(), failure: "task failed" });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(0);
  });
});
