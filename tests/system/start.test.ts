import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Started {
  child: ChildProcess;
  output: () => string;
  url: string;
  token: string | null;
}

/** Runs what `npm start` runs, on free ports and a fresh data folder, and reads its banner. */
async function start(dataDir: string, extraEnv: Record<string, string> = {}): Promise<Started> {
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "system/start.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0", EMBEDDED_MQTT_PORT: "0", DATA_DIR: dataDir, SIM_NODES: "2", MQTT_URL: "", DATABASE_URL: "", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`exited ${code}:\n${output}`))));
  await Promise.race([waitFor(() => /Simulated:/.test(output), "the start banner", 45_000), exited]);
  return {
    child,
    output: () => output,
    url: /Console:\s+(\S+)\//.exec(output)![1],
    token: /^\s+(sw_[A-Za-z0-9_-]+)$/m.exec(output)?.[1] ?? null,
  };
}

function stop(started: Started): Promise<number | null> {
  return new Promise((resolve) => {
    if (started.child.exitCode !== null) return resolve(started.child.exitCode);
    started.child.once("exit", (code) => resolve(code));
    started.child.kill("SIGTERM");
  });
}

describe("npm start", () => {
  const running: Started[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map(stop));
  });

  it("runs broker, cloud and a simulated site with nothing configured, and prints the URL and a first token", { timeout: 150_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "sw-start-"));
    const first = await start(dataDir);
    running.push(first);
    expect(first.output()).toContain("(embedded)");
    expect(first.token).toMatch(/^sw_/);

    expect((await fetch(`${first.url}/api/nodes`)).status).toBe(401);
    const nodes = await waitFor(
      async () => {
        const body = (await (await fetch(`${first.url}/api/nodes`, { headers: { authorization: `Bearer ${first.token}` } })).json()) as {
          nodes: Array<{ id: string; online: boolean; place: { id: string } | null }>;
        };
        return body.nodes.filter((n) => n.online).length === 4 ? body.nodes : null;
      },
      "the simulated smoke nodes, elevator and capsule to come online",
      15_000,
      200,
    );
    expect(nodes.map((n) => n.id).sort()).toEqual(["sim-capsule-001", "sim-lift-001", "sim-smoke-001", "sim-smoke-002"]);
    // The demo database knows where each node is and who looks after it, so incidents reach someone.
    expect(Object.fromEntries(nodes.map((n) => [n.id, n.place?.id]))).toEqual({
      "sim-capsule-001": "demo-capsule",
      "sim-lift-001": "demo-lift",
      "sim-smoke-001": "demo-building",
      "sim-smoke-002": "demo-building",
    });
    // Someone for every role the routing rules name, each with a phone.
    const staff = (await (await fetch(`${first.url}/api/staff`, { headers: { authorization: `Bearer ${first.token}` } })).json()) as { staff: Array<{ hasPhone: boolean }> };
    expect(staff.staff).toHaveLength(7);
    expect(staff.staff.every((p) => p.hasPhone)).toBe(true);
    // It says that SMS and voice are simulated, and how to make them real.
    expect(first.output()).toMatch(/SMS:\s+simulated .*SMS_PROVIDER/);
    expect(first.output()).toMatch(/Voice:\s+simulated .*VOICE_PROVIDER/);
    // Each simulated node reports what its XS machine really holds, never 0 free while running fine.
    const heaps = await waitFor(
      async () => {
        const body = (await (await fetch(`${first.url}/api/nodes`, { headers: { authorization: `Bearer ${first.token}` } })).json()) as {
          nodes: Array<{ health: { heap: { freeBytes: number } | null } | null }>;
        };
        const free = body.nodes.map((n) => n.health?.heap?.freeBytes ?? null);
        return free.every((f) => f !== null) ? (free as number[]) : null;
      },
      "every node's first heartbeat",
      15_000,
      200,
    );
    // Real figures, never 0: above the 32 KiB the crews' list calls low (the first heartbeat comes before any collection).
    for (const free of heaps) expect(free).toBeGreaterThan(32 * 1024);
    // The demo capsule is stocked, by the five categories, and something in it expires this month.
    const expiring = await waitFor(
      async () => {
        const body = (await (await fetch(`${first.url}/api/supplies/expiring?month=this`, { headers: { authorization: `Bearer ${first.token}` } })).json()) as {
          supplies: Array<{ item: string; daysLeft: number }>;
        };
        // The seed writes the supplies one by one: wait for the AED's, not for the first of them.
        return body.supplies.some((s) => s.item.includes("AED")) ? body.supplies : null;
      },
      "the demo capsule's supplies",
      15_000,
      200,
    );
    expect(expiring.some((s) => s.item.includes("AED") && s.daysLeft >= 0)).toBe(true);
    expect(await stop(first)).toBe(0);
    running.pop();

    // Second start on the same data: the token is not printed again, and the old one still works.
    const second = await start(dataDir);
    running.push(second);
    expect(second.token).toBeNull();
    expect(second.output()).toContain("already issued");
    expect((await fetch(`${second.url}/api/alarms`, { headers: { authorization: `Bearer ${first.token}` } })).status).toBe(200);
  });

  it("stops with a clear message on a bad setting", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "system/start.ts"], {
      cwd: root,
      env: { ...process.env, PORT: "http", MQTT_URL: "", DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(output).toContain("PORT");
    expect(output).not.toMatch(/at .*\.ts:\d+/);
  });
});
