import { describe, expect, it } from "vitest";
import { cpuShares, cpuSharesText, parseProcStat } from "../../bench/machine-cpu";

const stat = (user: number, idle: number, iowait: number, steal: number) =>
  [`cpu  ${user} 0 100 ${idle} ${iowait} 0 50 ${steal} 0 0`, `cpu0 1 0 1 1 0 0 0 0 0 0`, `cpu1 1 0 1 1 0 0 0 0 0 0`, "intr 1 2 3", "ctxt 99"].join("\n");

describe("the machine's CPU between two readings (/proc/stat)", () => {
  it("counts busy, idle, iowait and stolen ticks, and the cores", () => {
    expect(parseProcStat(stat(1000, 5000, 20, 7))).toEqual({ cores: 2, busy: 1150, idle: 5000, iowait: 20, steal: 7 });
  });

  it("gives each part's share of all the ticks that passed", () => {
    const shares = cpuShares(parseProcStat(stat(1000, 5000, 20, 7)), parseProcStat(stat(1600, 5300, 20, 107)))!;
    // 600 busy, 300 idle, 0 iowait, 100 stolen: 1,000 ticks in all.
    expect(shares.busyPercent).toBeCloseTo(60);
    expect(shares.stealPercent).toBeCloseTo(10);
    expect(shares.iowaitPercent).toBe(0);
    expect(cpuSharesText(shares)).toBe("busy 60.0 %, stolen by the host 10.0 %, waiting for the disk 0.0 % (of 2 cores' time)");
  });

  it("says plainly when it could not read, and refuses text that is not /proc/stat", () => {
    expect(cpuShares(null, parseProcStat(stat(1, 1, 0, 0)))).toBeNull();
    expect(cpuSharesText(null)).toBe("not read (no /proc/stat)");
    expect(() => parseProcStat("hello")).toThrow(/no cpu line/);
    expect(() => parseProcStat("cpu a b c d")).toThrow(/not ticks/);
  });
});
