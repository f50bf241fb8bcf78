/**
 * What the whole machine's cores did between two readings, from Linux's /proc/stat: busy, idle,
 * waiting for the disk, and stolen — time the hypervisor gave another guest while this one had
 * work. On some days every figure of a bench here is two to ten times slower, the broker's alone
 * included (bench:storm, the tenth session); steal tells a slow host from slow code.
 *
 * Read by hand: Node's os.cpus() has no steal and no iowait. systeminformation's currentLoad()
 * has both, but measures from whichever call came before it in the process (one hidden reading),
 * where a bench wants the span it names; and one line of one file does not need that package.
 */
import { readFileSync } from "node:fs";

/** The machine's CPU time in clock ticks, summed over its cores, as /proc/stat's first line counts it. */
export interface CpuTicks {
  cores: number;
  busy: number;
  idle: number;
  iowait: number;
  steal: number;
}

/** Shares of the cores' time between two readings, in percent of all of it. */
export interface CpuShares {
  cores: number;
  busyPercent: number;
  iowaitPercent: number;
  stealPercent: number;
}

/**
 * Parses /proc/stat's text: the `cpu` line (user nice system idle iowait irq softirq steal guest
 * guest_nice; guest time is already counted in user and nice) and the number of `cpuN` lines.
 */
export function parseProcStat(text: string): CpuTicks {
  const lines = text.split("\n");
  const total = lines.find((line) => /^cpu\s/.test(line));
  if (!total) throw new Error("no cpu line in /proc/stat");
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = total.trim().split(/\s+/).slice(1).map(Number);
  if ([user, nice, system, idle].some((n) => !Number.isFinite(n))) throw new Error(`/proc/stat's cpu line is not ticks: ${total}`);
  return {
    cores: lines.filter((line) => /^cpu\d+\s/.test(line)).length,
    busy: user + nice + system + irq + softirq,
    idle,
    iowait,
    steal,
  };
}

/** This machine's ticks now, or null where there is no /proc/stat (not Linux). */
export function readCpuTicks(): CpuTicks | null {
  try {
    return parseProcStat(readFileSync("/proc/stat", "utf8"));
  } catch {
    return null;
  }
}

/** The shares between two readings; null when either is missing or no tick passed. */
export function cpuShares(before: CpuTicks | null, after: CpuTicks | null): CpuShares | null {
  if (!before || !after) return null;
  const busy = after.busy - before.busy;
  const iowait = after.iowait - before.iowait;
  const steal = after.steal - before.steal;
  const all = busy + (after.idle - before.idle) + iowait + steal;
  if (all <= 0) return null;
  const percent = (part: number) => (100 * part) / all;
  return { cores: after.cores, busyPercent: percent(busy), iowaitPercent: percent(iowait), stealPercent: percent(steal) };
}

/** One line for a bench's table. */
export function cpuSharesText(shares: CpuShares | null): string {
  if (!shares) return "not read (no /proc/stat)";
  const p = (n: number) => `${n.toFixed(1)} %`;
  return `busy ${p(shares.busyPercent)}, stolen by the host ${p(shares.stealPercent)}, waiting for the disk ${p(shares.iowaitPercent)} (of ${shares.cores} cores' time)`;
}
