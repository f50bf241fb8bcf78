import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Running {
  npm: ChildProcess;
  output: () => string;
  ports: number[];
}

/** `npm start` itself, in its own process group (as a terminal runs it), on free ports and a fresh data folder. */
async function npmStart(): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), "sw-stop-"));
  let output = "";
  const npm = spawn("npm", ["start"], {
    cwd: root,
    detached: true,
    env: { ...process.env, PORT: "0", EMBEDDED_MQTT_PORT: "0", DATA_DIR: dataDir, SIM_NODES: "2", MQTT_URL: "", DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  npm.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) => npm.once("exit", (code) => reject(new Error(`npm start exited ${code}:\n${output}`))));
  await Promise.race([waitFor(() => /Simulated:/.test(output), "the start banner", 60_000, 100), exited]);
  const ports = [/Console:\s+http:\/\/[^:]+:(\d+)\//, /MQTT:\s+mqtt:\/\/[^:]+:(\d+)/].map((pattern) => Number(pattern.exec(output)![1]));
  return { npm, output: () => output, ports };
}

/** The live (not yet reaped) processes of a process group. */
function groupProcesses(pgid: number): number[] {
  const ps = spawnSync("ps", ["-o", "pid=", "-g", String(pgid)], { encoding: "utf8" });
  return ps.stdout
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0)
    .filter((pid) => {
      try {
        // Field 3 of /proc/<pid>/stat is the state; Z is a process that has ended and only awaits its parent.
        return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
      } catch {
        return false;
      }
    });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** How long after the signal until no process of the group lives and no port answers; null if not within `limitMs`. */
async function timeToSilence(pgid: number, ports: number[], limitMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    const open = await Promise.all(ports.map(portOpen));
    if (groupProcesses(pgid).length === 0 && !open.some(Boolean)) return Date.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

describe("npm start stops on Ctrl-C", () => {
  let running: Running | undefined;
  afterEach(() => {
    // Whatever a failed test left: the whole group, by its id.
    if (running?.npm.pid && groupProcesses(running.npm.pid).length) process.kill(-running.npm.pid, "SIGKILL");
    running = undefined;
  });

  it("kill -INT of npm's process closes the cloud, the broker and every simulated node within 2 s, and says so", { timeout: 120_000 }, async () => {
    running = await npmStart();
    const pgid = running.npm.pid!;
    expect(groupProcesses(pgid).length).toBeGreaterThanOrEqual(6); // npm, node, four XS machines
    for (const port of running.ports) expect(await portOpen(port)).toBe(true);
    const code = new Promise<number | null>((resolve) => running!.npm.once("exit", resolve));

    process.kill(pgid, "SIGINT");
    const took = await timeToSilence(pgid, running.ports, 2000);
    expect(took, `still running 2 s after SIGINT:\n${running.output()}`).not.toBeNull();
    expect(await code).toBe(0);
    expect(running.output()).toMatch(/Ctrl-C: stopping the simulated nodes, the cloud and the broker…\n\s+守望 stopped/);
  });

  it("Ctrl-C in a terminal (SIGINT to the whole process group) does the same", { timeout: 120_000 }, async () => {
    running = await npmStart();
    const pgid = running.npm.pid!;
    process.kill(-pgid, "SIGINT");
    const took = await timeToSilence(pgid, running.ports, 2000);
    expect(took, `still running 2 s after Ctrl-C:\n${running.output()}`).not.toBeNull();
    expect(running.output()).toContain("守望 stopped");
  });
});
