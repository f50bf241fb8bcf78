import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { AlarmFeed } from "../cloud/alarms/alarm-feed";
import { openDatabase } from "../cloud/db/client";
import { createIngest, type Ingest, type IngestOutcome } from "../cloud/ingest/ingest";
import { startSubscriber, type IngestSubscription } from "../cloud/ingest/subscriber";
import { createLogger } from "../cloud/log";
import { startMosquitto, type Mosquitto } from "../tests/support/mosquitto";

/**
 * bench:ingest — telemetry from many simulated nodes through Mosquitto (the project's config)
 * into libSQL, and in the same run the same stream to a subscriber that does nothing, which is
 * the broker's (and the MQTT path's) own ceiling. Both use the ingest's MQTT client with the
 * same Receive Maximum; they differ only in what happens to a message before its PUBACK.
 *
 *   BENCH_NODES (1000)  BENCH_PER_NODE (40)  BENCH_WINDOW (8 in flight per node)
 */
const NODES = Number(process.env.BENCH_NODES ?? 1000);
const PER_NODE = Number(process.env.BENCH_PER_NODE ?? 40);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 8);
const TOTAL = NODES * PER_NODE;
const log = createLogger((line) => process.stderr.write(`${line}\n`), "warn");

interface RunResult {
  seconds: number;
  handled: number;
  publishSeconds: number;
}

/** Starts the publishers (a child process), waits until all are connected, lets them go, and resolves when `finished` says so. */
async function run(broker: Mosquitto, boot: number, finished: () => boolean | Promise<boolean>): Promise<RunResult> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./ingest-publishers.ts", import.meta.url)), [broker.url, String(NODES), String(PER_NODE), String(boot), String(WINDOW)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => code !== 0 && reject(new Error(`publishers exited with ${code}`))));
  await Promise.race([new Promise<void>((resolve) => child.once("message", () => resolve())), exited]);
  let publishMs = 0;
  child.on("message", (message: { ms?: number }) => (publishMs = message.ms ?? publishMs));
  const started = performance.now();
  child.send({ go: true });
  while (!(await finished())) await new Promise((resolve) => setTimeout(resolve, 2));
  const seconds = (performance.now() - started) / 1000;
  await Promise.race([new Promise((resolve) => child.once("exit", resolve)), new Promise((resolve) => setTimeout(resolve, 5000))]);
  return { seconds, handled: 0, publishSeconds: publishMs / 1000 };
}

/** The subscriber that does nothing: every message is "stored" at once. */
function nullIngest(): Ingest & { count: number } {
  const sink = {
    count: 0,
    stats: {} as Ingest["stats"],
    idle: async () => {},
    handle: async (): Promise<IngestOutcome> => {
      sink.count++;
      return "stored";
    },
  };
  return sink;
}

async function ceiling(broker: Mosquitto, boot: number): Promise<RunResult> {
  const sink = nullIngest();
  const subscription = await startSubscriber({ url: broker.url, clientId: `bench-ceiling-${boot}`, protocolVersion: 5 }, sink, log);
  try {
    const result = await run(broker, boot, () => sink.count >= TOTAL);
    return { ...result, handled: sink.count };
  } finally {
    await subscription.close();
  }
}

async function main(): Promise<void> {
  // `mosquitto -h` prints its version first and exits non-zero.
  const version = spawnSync("mosquitto", ["-h"], { encoding: "utf8" }).stdout.split("\n")[0].trim();
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), "sw-bench-ingest-"));
  const database = await openDatabase(`file:${join(dir, "bench.db")}`);
  let subscription: IngestSubscription | undefined;
  try {
    process.stderr.write(`bench:ingest: ${NODES} nodes × ${PER_NODE} telemetry messages = ${TOTAL}, QoS 1, ${WINDOW} in flight per node\n`);
    const ceilingBefore = await ceiling(broker, 1);

    const ingest = createIngest({ db: database.db, feed: new AlarmFeed(), log, now: Date.now });
    subscription = await startSubscriber({ url: broker.url, clientId: "bench-ingest", protocolVersion: 5 }, ingest, log);
    const stored = await run(broker, 2, () => ingest.stats.stored + ingest.stats.duplicates + ingest.stats.failed >= TOTAL);
    await ingest.idle();
    const [row] = await database.db.all<{ rows: number; keys: number }>(
      sql`select count(*) as rows, count(distinct node_id || '/' || boot_id || '/' || seq) as keys from telemetry where boot_id = 2`,
    );
    await subscription.close();
    subscription = undefined;

    const ceilingAfter = await ceiling(broker, 3);
    const best = Math.max(TOTAL / ceilingBefore.seconds, TOTAL / ceilingAfter.seconds);
    const persisted = row.rows / stored.seconds;
    const lost = TOTAL - row.rows;
    const format = (n: number) => Math.round(n).toLocaleString("en-US");
    const lines = [
      "",
      `bench:ingest — ${format(NODES)} simulated nodes (mqtt.js clients in a separate process) × ${PER_NODE} telemetry messages, QoS 1, ${WINDOW} in flight per node`,
      `broker: ${version}, project config (deploy/mosquitto/shouwang.conf); store: libSQL file, WAL; ingest: group commit, Receive Maximum 1000`,
      "",
      "                                   messages   seconds       msg/s",
      `  broker ceiling, no-op subscriber ${String(format(TOTAL)).padStart(9)} ${ceilingBefore.seconds.toFixed(2).padStart(9)} ${format(TOTAL / ceilingBefore.seconds).padStart(11)}   (before)`,
      `  ingest, persisted in libSQL      ${String(format(row.rows)).padStart(9)} ${stored.seconds.toFixed(2).padStart(9)} ${format(persisted).padStart(11)}`,
      `  broker ceiling, no-op subscriber ${String(format(TOTAL)).padStart(9)} ${ceilingAfter.seconds.toFixed(2).padStart(9)} ${format(TOTAL / ceilingAfter.seconds).padStart(11)}   (after)`,
      "",
      `  ratio persisted / best ceiling   ${(persisted / best).toFixed(2)}   (goal ≥ 0.50)`,
      `  lost                             ${lost}      (goal 0; rows ${format(row.rows)}, distinct (node, boot, seq) ${format(row.keys)})`,
      `  transactions                     ${ingest.stats.batches}, largest ${ingest.stats.largestBatch} messages; failed ${ingest.stats.failed}`,
      "",
    ];
    process.stdout.write(lines.join("\n"));
    if (lost !== 0) process.exitCode = 1;
  } finally {
    await subscription?.close();
    database.close();
    await broker.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench:ingest failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
