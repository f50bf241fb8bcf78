import { describe, expect, it } from "vitest";
import { startSlowHost } from "../../bench/slow-host";

describe("a slow host, simulated (bench:storm --slow-host)", () => {
  it("refuses a share or a burst it cannot take, before it starts anything", async () => {
    await expect(startSlowHost(0, 20)).rejects.toThrow(/between 1 and 99/);
    await expect(startSlowHost(100, 20)).rejects.toThrow(/between 1 and 99/);
    await expect(startSlowHost(Number.NaN, 20)).rejects.toThrow(/between 1 and 99/);
    await expect(startSlowHost(30, 0)).rejects.toThrow(/mean length in ms/);
  });

  it("says what it needs when it cannot start its hogs, and leaves none running", async () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      await expect(startSlowHost(30, 20)).rejects.toThrow(/could not start its real-time hogs \(it needs root or CAP_SYS_NICE, and taskset and chrt from util-linux\): .*ENOENT/);
    } finally {
      process.env.PATH = path;
    }
  });
});
