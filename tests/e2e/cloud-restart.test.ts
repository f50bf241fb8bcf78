import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../cloud/db/client";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { FakeNodes } from "../support/publishers";
import { waitFor } from "../support/wait";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface CloudProcess {
  child: ChildProcess;
  url: string;
  token: string | null;
  exited: Promise<void>;
}

/**
 * The cloud as it runs in production: its own process running system/start.ts, configured by env.
 * Node itself with tsx's loader, not the `tsx` command: that one runs the program in a child
 * process, and a SIGKILL would end only the wrapper.
 */
async function startCloudProcess(env: Record<string, string>): Promise<CloudProcess> {
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "system/start.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0", SIM_NODES: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await Promise.race([
    waitFor(() => /Simulated:/.test(output), "the cloud's banner", 20_000),
    exited.then(() => Promise.reject(new Error(`the cloud exited:\n${output}`))),
  ]);
  return { child, url: /Console:\s+(\S+)\//.exec(output)![1], token: /^\s+(sw_[A-Za-z0-9_-]+)$/m.exec(output)?.[1] ?? null, exited };
}

/**
 * The cloud killed with SIGKILL in the middle of a stream of alarms and events, and started
 * again: the broker kept what the dead instance had not acknowledged (its persistent session),
 * redelivers it, and the (node, boot, seq) keys turn the copies into no-ops.
 */
describe("cloud killed with SIGKILL mid-stream", () => {
  let broker: Mosquitto;
  let database: Database | undefined;
  const clouds: CloudProcess[] = [];
  let fakes: FakeNodes | undefined;

  afterAll(async () => {
    for (const cloud of clouds) cloud.child.kill("SIGKILL");
    await fakes?.close();
    database?.close();
    await broker?.stop();
  });

  it("loses nothing and stores nothing twice", async () => {
    broker = await startMosquitto();
    const dir = mkdtempSync(join(tmpdir(), "sw-kill-"));
    const env = { MQTT_URL: broker.url, DATABASE_URL: `file:${join(dir, "cloud.db")}`, DATA_DIR: dir, INSTANCE_ID: "kill-test" };
    const first = await startCloudProcess(env);
    clouds.push(first);
    database = await openDatabase(env.DATABASE_URL);
    const stored = async () => {
      const [row] = await database!.db.all<{ alarms: number; events: number; distinctAlarms: number }>(
        sql`select (select count(*) from alarms) as alarms, (select count(*) from node_events) as events,
                   (select count(*) from (select distinct node_id, boot_id, seq from alarms)) as distinctAlarms`,
      );
      return row;
    };

    fakes = await FakeNodes.connect(broker.url, 20, "kill");
    const perNode = 150; // 20 nodes × 150 = 3000 messages: half alarms, half events
    const total = 20 * perNode;
    let sent = 0;
    const stream = (async () => {
      for (let round = 0; round < perNode; round++) {
        await Promise.all(fakes!.ids.map((_, i) => fakes!.send(i, round % 2 ? "event" : "alarm")));
        sent += fakes!.ids.length;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();

    await waitFor(async () => (await stored()).alarms + (await stored()).events >= total / 4, "a quarter of the stream stored", 20_000, 5);
    first.child.kill("SIGKILL");
    await first.exited;
    const atKill = await stored();
    const second = await startCloudProcess(env);
    clouds.push(second);
    await stream;
    const final = await waitFor(async () => {
      const now = await stored();
      return now.alarms + now.events >= total && now;
    }, "every message stored", 30_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(sent).toBe(total);
    expect(await stored()).toEqual({ alarms: total / 2, events: total / 2, distinctAlarms: total / 2 });
    const stats = (await (await fetch(`${second.url}/api/ingest/stats`, { headers: { authorization: `Bearer ${first.token}` } })).json()) as {
      received: number;
      duplicates: number;
      failed: number;
    };
    expect(stats.failed).toBe(0);
    console.log(
      `SIGKILL after ${atKill.alarms + atKill.events} of ${total} stored; the restarted instance received ${stats.received}, ` +
        `of which ${stats.duplicates} were copies of messages already stored (redelivered, not re-stored); final ${final.alarms} alarms + ${final.events} events`,
    );
  }, 60_000); // two cloud processes in turn: slow on a shared, loaded machine
});
