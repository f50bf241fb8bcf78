/**
 * `npm run bench:faults`: never lose an alarm, under the faults of issue 13. For each fault it
 * prints alarms sent, stored, with an incident, notified, lost, and notified twice.
 *
 *   npm run bench:faults [-- --trials 20]
 *
 * Cloud faults run on real parts: Mosquitto (with persistence), the cloud as its own process
 * (system/start.ts) for SIGKILL, in this process otherwise, plain mqtt.js publishers as nodes,
 * each node on its own floor with a building lead to notify. Node faults (torn flash writes, NVS
 * full, NVS erased) run the node's link inside XS (tests/firmware/xs/link-faults.ts); their
 * columns are the node's: alarms raised, kept for sending, lost on the node.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { openDatabase, type Db } from "../cloud/db/client";
import { nodes } from "../cloud/db/schema";
import { memoryLogger } from "../cloud/log";
import { createPlace } from "../cloud/places/queries";
import { startCloud } from "../cloud/server";
import { insertStaff, replaceScopes } from "../cloud/staff/queries";
import { startMosquitto, type Mosquitto } from "../tests/support/mosquitto";
import { FakeNodes } from "../tests/support/publishers";
import { XsScenario } from "../tests/support/xs";
import { SimNode } from "../firmware/platform/sim/host/sim-node";
import { smokeNodeConfig } from "../tests/support/sim-config";
import { runUntil, smokeCycles } from "../tests/support/sim";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const TRIALS = arg("trials", 20);
const NODES = 10;
const ALARMS_PER_NODE = 30;
const root = fileURLToPath(new URL("..", import.meta.url));

interface Row {
  fault: string;
  sent: number;
  stored: number;
  withIncident: number;
  notified: number;
  lost: number;
  notifiedTwice: number;
  note: string;
}

async function seed(db: Db, prefix: string): Promise<void> {
  const t0 = Date.now();
  await createPlace(db, { id: `st-${prefix}`, parentId: null, level: "street", name: "Street" }, t0);
  await createPlace(db, { id: `cm-${prefix}`, parentId: `st-${prefix}`, level: "community", name: "Community" }, t0);
  await createPlace(db, { id: `cp-${prefix}`, parentId: `cm-${prefix}`, level: "compound", name: "Compound" }, t0);
  await createPlace(db, { id: `bd-${prefix}`, parentId: `cp-${prefix}`, level: "building", name: "Building" }, t0);
  const lead = await insertStaff(db, { name: `Lead ${prefix}`, role: "building-lead", phone: null }, t0);
  await replaceScopes(db, lead.id, [`bd-${prefix}`]);
  for (let i = 1; i <= NODES; i++) {
    const id = `${prefix}-${String(i).padStart(4, "0")}`;
    await createPlace(db, { id: `fl-${id}`, parentId: `bd-${prefix}`, level: "floor", name: `Floor ${i}` }, t0);
    await db.insert(nodes).values({ id, placeId: `fl-${id}`, online: false, firstSeenAt: t0, lastSeenAt: t0 });
  }
}

/**
 * What became of the alarms sent: stored (by node, boot, seq), handled by the desk into an
 * incident, that incident's people told; lost = sent but not stored; notified twice = an incident
 * whose first round reached one person on one channel more than once.
 */
async function outcome(db: Db, prefix: string, sent: number): Promise<Omit<Row, "fault" | "note">> {
  const [row] = await db.all<{ stored: number; withIncident: number; notified: number }>(sql`
    select count(*) as stored,
      sum(case when a.incident_pending = 0 and exists (select 1 from incidents i where i.node_id = a.node_id) then 1 else 0 end) as withIncident,
      sum(case when exists (select 1 from incidents i join deliveries d on d.incident_id = i.id where i.node_id = a.node_id and d.purpose = 'notify') then 1 else 0 end) as notified
    from alarms a where a.node_id like ${`${prefix}-%`}`);
  const [twice] = await db.all<{ n: number }>(sql`
    select count(*) as n from (select d.incident_id from deliveries d join incidents i on i.id = d.incident_id
      where i.node_id like ${`${prefix}-%`} and d.purpose = 'notify' group by d.incident_id, d.staff_id, d.channel having count(*) > 1)`);
  return { sent, stored: Number(row.stored), withIncident: Number(row.withIncident ?? 0), notified: Number(row.notified ?? 0), lost: sent - Number(row.stored), notifiedTwice: Number(twice.n) };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await wait(200);
  }
  return false;
}

/** Every node sends ALARMS_PER_NODE alarms, a round every `gapMs`, each publish awaited for its PUBACK at the end. */
async function storm(fakes: FakeNodes, gapMs: number): Promise<number> {
  const acks: Promise<unknown>[] = [];
  for (let round = 0; round < ALARMS_PER_NODE; round++) {
    for (let i = 0; i < fakes.ids.length; i++) acks.push(fakes.send(i, "alarm"));
    await wait(gapMs);
  }
  await Promise.all(acks);
  return acks.length;
}

async function settle(db: Db, prefix: string, sent: number, timeoutMs = 60_000): Promise<void> {
  await until(async () => {
    const o = await outcome(db, prefix, sent);
    return o.stored >= sent && o.withIncident >= sent && o.notified >= sent;
  }, timeoutMs);
}

function startCloudProcess(env: Record<string, string>): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "system/start.ts"], { cwd: root, env: { ...process.env, PORT: "0", SIM_NODES: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (/Simulated:|Console:/.test(output)) {
        clearInterval(timer);
        resolve({ child, exited });
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`the cloud exited:\n${output}`));
    });
  });
}

async function sigkillTrials(broker: Mosquitto): Promise<Row> {
  const total: Row = { fault: `SIGKILL of the cloud mid-storm (${TRIALS} trials)`, sent: 0, stored: 0, withIncident: 0, notified: 0, lost: 0, notifiedTwice: 0, note: "" };
  const killedAt: number[] = [];
  for (let trial = 1; trial <= TRIALS; trial++) {
    const dir = mkdtempSync(join(tmpdir(), "sw-faults-kill-"));
    const prefix = `k${trial}`;
    const env = { MQTT_URL: broker.url, DATABASE_URL: `file:${join(dir, "cloud.db")}`, DATA_DIR: dir, INSTANCE_ID: `faults-kill-${process.pid}-${trial}` };
    const database = await openDatabase(env.DATABASE_URL);
    await seed(database.db, prefix);
    const first = await startCloudProcess(env);
    const fakes = await FakeNodes.connect(broker.url, NODES, prefix);
    const stormDone = storm(fakes, 20);
    // A random moment in the storm (30 rounds × ≥ 20 ms): the cloud dies with SIGKILL.
    const atMs = Math.floor(Math.random() * 700);
    await wait(atMs);
    first.child.kill("SIGKILL");
    await first.exited;
    killedAt.push(atMs);
    const second = await startCloudProcess(env);
    const sent = await stormDone;
    await settle(database.db, prefix, sent);
    const o = await outcome(database.db, prefix, sent);
    for (const key of ["sent", "stored", "withIncident", "notified", "lost", "notifiedTwice"] as const) total[key] += o[key];
    second.child.kill("SIGTERM");
    await second.exited;
    await fakes.close();
    database.close();
    process.stderr.write(`  sigkill trial ${trial}: killed ${atMs} ms in; ${JSON.stringify(o)}\n`);
  }
  total.note = `killed ${Math.min(...killedAt)}–${Math.max(...killedAt)} ms into the storm`;
  return total;
}

async function inProcessFault(broker: Mosquitto, fault: string, prefix: string, inject: (cloud: Awaited<ReturnType<typeof startCloud>>) => Promise<string>): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), "sw-faults-"));
  const cloud = await startCloud({
    databaseUrl: `file:${join(dir, "cloud.db")}`,
    mqtt: { url: broker.url, protocolVersion: 5 },
    instanceId: `faults-${prefix}-${process.pid}`,
    port: 0,
    host: "127.0.0.1",
    log: memoryLogger(),
    dataDir: dir,
  });
  try {
    await seed(cloud.database.db, prefix);
    const fakes = await FakeNodes.connect(broker.url, NODES, prefix);
    const stormDone = storm(fakes, 20);
    const note = await inject(cloud);
    const sent = await stormDone;
    await settle(cloud.database.db, prefix, sent);
    await fakes.close();
    return { fault, ...(await outcome(cloud.database.db, prefix, sent)), note };
  } finally {
    await cloud.close();
  }
}

/**
 * A node (the firmware in XS, on a real connection) loses its Wi-Fi for ten simulated minutes
 * while smoke comes and goes: 25 cycles, 50 alarms (raised and cleared) kept in its outbox,
 * then the network comes back and the outbox drains into the cloud.
 */
async function tenMinutesOffline(broker: Mosquitto): Promise<Row> {
  const prefix = "of";
  const dir = mkdtempSync(join(tmpdir(), "sw-faults-"));
  const cloud = await startCloud({
    databaseUrl: `file:${join(dir, "cloud.db")}`,
    mqtt: { url: broker.url, protocolVersion: 5 },
    instanceId: `faults-${prefix}-${process.pid}`,
    port: 0,
    host: "127.0.0.1",
    log: memoryLogger(),
    dataDir: dir,
    livenessEveryMs: 0,
  });
  const nodeId = `${prefix}-0001`;
  let node: SimNode | undefined;
  try {
    await seed(cloud.database.db, prefix);
    node = await SimNode.boot({ brokerUrl: broker.url, protocolVersion: 5, config: smokeNodeConfig(nodeId, { outboxSlots: 64 }), seed: 7, onLog: () => {} });
    await node.setPins({ smoke: 300 });
    const booted = node;
    await runUntil([booted], async () => {
      const seen = await booted.inspect();
      return seen.connected && seen.outbox.depth === 0;
    }, "the node to connect");
    booted.setNetwork(false);
    await runUntil([booted], async () => !(await booted.inspect()).connected, "the node to notice the dead link", { stepMs: 0 });
    await smokeCycles(booted, 25, 24_000);
    const offline = await booted.inspect();
    booted.setNetwork(true);
    const sent = 50;
    await runUntil([booted], async () => (await booted.inspect()).outbox.depth === 0, "the outbox to drain", { stepMs: 1000, timeoutMs: 60_000 });
    await settle(cloud.database.db, prefix, sent, 30_000);
    return {
      fault: "node offline ten minutes (XS node, real broker)",
      ...(await outcome(cloud.database.db, prefix, sent)),
      note: `${offline.outbox.alarms} alarms waited in the outbox over ${Math.round(offline.now / 60_000)} simulated minutes (${offline.outbox.dropped.alarm} alarms and ${offline.outbox.dropped.telemetry} telemetry readings dropped to make room); ${(await booted.inspect()).connectAttempts} connection attempts`,
    };
  } finally {
    await node?.stop().catch(() => undefined);
    await cloud.close();
  }
}

/** Makes the database client fail every write for `forMs`, with `error`, as a full disk or a held lock would. */
function failWrites(cloud: Awaited<ReturnType<typeof startCloud>>, error: string, forMs: number): Promise<string> {
  const client = cloud.database.client;
  const batch = client.batch.bind(client);
  const execute = client.execute.bind(client);
  let refused = 0;
  const until = Date.now() + forMs;
  const writes = (text: string) => /^\s*(insert|update|delete)/i.test(text);
  (client as { batch: typeof client.batch }).batch = ((statements: Parameters<typeof client.batch>[0], mode?: Parameters<typeof client.batch>[1]) => {
    if (Date.now() < until) {
      refused++;
      return Promise.reject(new Error(error));
    }
    return batch(statements, mode);
  }) as typeof client.batch;
  (client as { execute: typeof client.execute }).execute = ((statement: Parameters<typeof client.execute>[0]) => {
    const text = typeof statement === "string" ? statement : (statement as { sql: string }).sql;
    if (Date.now() < until && writes(text)) {
      refused++;
      return Promise.reject(new Error(error));
    }
    return execute(statement);
  }) as typeof client.execute;
  return new Promise((resolve) => setTimeout(() => resolve(`${refused} writes refused over ${forMs / 1000} s ("${error}")`), forMs));
}

async function nodeFaults(): Promise<Row[]> {
  const xs = await XsScenario.load(new URL("../tests/firmware/xs/link-faults.ts", import.meta.url));
  try {
    const cuts = (await xs.call<{ trials: number; cutsDuringWrite: number; restoredTotal: number; tornSlots: number; lost: number; garbage: number; durable: number }>({ case: "power-cuts", trials: 1000, seed: Date.now() % 100_000 })).value;
    const full = (await xs.call<{ kept: boolean[]; sent: string[]; end: { depth: number; flashErrors: number } }>({ case: "flash-full" })).value;
    const eras = (await xs.call<{ erasures: number; repeats: number }>({ case: "boot-eras", trials: 1000 })).value;
    const fullAlarms = full.kept.slice(0, 3).length + 1;
    return [
      {
        fault: `node power loss mid flash write (${cuts.trials} trials, XS)`,
        sent: cuts.durable,
        stored: cuts.durable - cuts.lost,
        withIncident: NaN,
        notified: NaN,
        lost: cuts.lost,
        notifiedTwice: NaN,
        note: `power cut during a write in ${cuts.cutsDuringWrite} trials; ${cuts.tornSlots} torn slots dropped at boot, ${cuts.garbage} sent torn; columns: alarms in flash at the cut / back after reboot`,
      },
      {
        fault: "node NVS full (XS)",
        sent: fullAlarms,
        stored: full.sent.filter((k) => k === "alarm").length,
        withIncident: NaN,
        notified: NaN,
        lost: fullAlarms - full.sent.filter((k) => k === "alarm").length,
        notifiedTwice: NaN,
        note: `${full.end.flashErrors} flash writes failed; the alarms went from RAM; columns: alarms raised / published`,
      },
      {
        fault: "node NVS erased (XS boot counter)",
        sent: eras.erasures,
        stored: eras.erasures - eras.repeats,
        withIncident: NaN,
        notified: NaN,
        lost: eras.repeats,
        notifiedTwice: NaN,
        note: `${eras.erasures} erasures of one node: ${eras.repeats} drew the era it had before (then its new alarms would look like copies); the cloud side is tests/cloud/node-health.test.ts`,
      },
    ];
  } finally {
    xs.close();
  }
}

async function main(): Promise<void> {
  const persist = mkdtempSync(join(tmpdir(), "sw-faults-broker-"));
  const broker = await startMosquitto({ extraConfig: ["persistence true", `persistence_location ${persist}/`] });
  const rows: Row[] = [];
  try {
    rows.push(...(await nodeFaults()));
    rows.push(
      await inProcessFault(broker, "broker restart mid-storm", "br", async () => {
        await wait(250);
        await broker.stop();
        await wait(1000);
        await broker.restart();
        return "Mosquitto stopped 250 ms into the storm, back 1 s later";
      }),
    );
    rows.push(await inProcessFault(broker, "database write errors: disk full", "df", (cloud) => failWrites(cloud, "SQLITE_FULL: database or disk is full", 2000)));
    rows.push(await inProcessFault(broker, "database write errors: locked", "lk", (cloud) => failWrites(cloud, "SQLITE_BUSY: database is locked", 2000)));
    rows.push(await tenMinutesOffline(broker));
    rows.push(await sigkillTrials(broker));
  } finally {
    await broker.stop();
  }
  const cell = (n: number) => (Number.isNaN(n) ? "–" : String(n));
  process.stdout.write(`\nbench:faults — ${new Date().toISOString()}\n`);
  process.stdout.write(`  ${"fault".padEnd(52)} ${["sent", "stored", "incident", "notified", "lost", "twice"].map((h) => h.padStart(10)).join("")}\n`);
  for (const r of rows) {
    process.stdout.write(`  ${r.fault.padEnd(52)} ${[r.sent, r.stored, r.withIncident, r.notified, r.lost, r.notifiedTwice].map((n) => cell(n).padStart(10)).join("")}\n`);
    process.stdout.write(`    ${r.note}\n`);
  }
  const lost = rows.reduce((sum, r) => sum + (Number.isNaN(r.lost) ? 0 : r.lost), 0);
  const without = rows.reduce((sum, r) => sum + (Number.isNaN(r.withIncident) ? 0 : r.stored - r.withIncident), 0);
  const twice = rows.reduce((sum, r) => sum + (Number.isNaN(r.notifiedTwice) ? 0 : r.notifiedTwice), 0);
  process.stdout.write(`  goal: 0 lost, 0 without an incident, 0 notified twice → ${lost === 0 && without === 0 && twice === 0 ? "met" : `NOT met (lost ${lost}, without incident ${without}, twice ${twice})`}\n`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench:faults failed: ${error.stack}\n`);
    process.exit(1);
  },
);
