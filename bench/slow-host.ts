/**
 * A slow host, simulated: on some days every figure here ran two to ten times slower, the
 * broker's alone included (bench:storm, the tenth session), and a change could not be judged
 * against another run. This takes a share of every core away in bursts, as a busy neighbour or
 * a hypervisor does: one process per core (bench/host-hog.mjs), pinned to it (taskset) and
 * scheduled real-time (chrt -f), so it runs over every other process whatever its niceness,
 * the cloud's and the broker's included. Its time shows as busy, not stolen, in /proc/stat.
 *
 * Run with `--slow-host <percent>` (and `--slow-host-burst <ms>`, 20 by default). Real-time
 * scheduling needs root or CAP_SYS_NICE; without it the bench stops and says so.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

export interface SlowHost {
  /** What the bench prints of it. */
  readonly text: string;
  stop(): void;
}

/** Real-time priority of the hogs: above every normal process, below the kernel's threaded interrupt handlers (50). */
const HOG_PRIORITY = 40;

export async function startSlowHost(busyPercent: number, burstMs: number): Promise<SlowHost> {
  if (!(busyPercent > 0 && busyPercent < 100)) throw new Error(`--slow-host takes a share of each core between 1 and 99 (%), not ${busyPercent}`);
  if (!(burstMs >= 1)) throw new Error(`--slow-host-burst is a burst's mean length in ms (1 or more), not ${burstMs}`);
  const script = fileURLToPath(new URL("./host-hog.mjs", import.meta.url));
  const cores = availableParallelism();
  const hogs: ChildProcess[] = [];
  const stop = () => hogs.forEach((hog) => hog.kill("SIGKILL"));
  const refusals: string[] = [];
  let ended = 0;
  for (let core = 0; core < cores; core++) {
    const hog = spawn("taskset", ["-c", String(core), "chrt", "-f", String(HOG_PRIORITY), process.execPath, script, String(busyPercent), String(burstMs)], { stdio: ["ignore", "ignore", "pipe"] });
    hog.stderr!.on("data", (chunk: Buffer) => refusals.push(chunk.toString().trim()));
    // No taskset at all: an error event, not an exit.
    hog.on("error", (error) => refusals.push(error.message));
    hog.on("close", () => ended++);
    hogs.push(hog);
  }
  // chrt and taskset fail at once when refused; a hog that is still running after this ran.
  await new Promise((resolve) => setTimeout(resolve, 500));
  if (ended > 0 || refusals.length > 0) {
    stop();
    throw new Error(`--slow-host could not start its real-time hogs (it needs root or CAP_SYS_NICE, and taskset and chrt from util-linux): ${refusals.join("; ") || "a hog ended at once"}`);
  }
  return { text: `${busyPercent} % of each of ${cores} cores taken in bursts of about ${burstMs} ms (real-time, pinned)`, stop };
}
