import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { AlarmFeed } from "../cloud/alarms/alarm-feed";
import { openDatabase } from "../cloud/db/client";
import { createIngest, type Ingest, type IngestOutcome } from "../cloud/ingest/ingest";
import { startSubscriber, type IngestSubscription } from "../cloud/ingest/subscriber";
import { createLogger } from "../cloud/log";
import { checkpointsText } from "./bench-cloud";
import { startMosquitto, type Mosquitto } from "../tests/support/mosquitto";

/**
 * bench:ingest — telemetry from many simulated nodes through Mosquitto (the project's config)
 * into libSQL, and in the same run the same stream to a subscriber that does nothing, which is
 * the broker's (and the MQTT path's) own ceiling. Both use the ingest's MQTT client with the
 * same Receive Maximum; they differ only in what happens to a message before its PUBACK.
 *
 * Rounds alternate the two, and the best of each is compared, so a neighbour's burst of CPU on
 * a shared machine does not decide the ratio. An ingest round's time includes a last checkpoint
 * of the log it wrote (client.ts's checkpoint thread copies it into the database file), so no
 * round leaves work for the next.
 *
 *   BENCH_NODES (1000)  BENCH_PER_NODE (50)  BENCH_WINDOW (8 in flight per node)  BENCH_ROUNDS (3)
 *   BENCH_RECEIVE_MAXIMUM (2000, the ingest's default)  BENCH_MAX_BATCH (1000, likewise)
 */
const NODES = Number(process.env.BENCH_NODES ?? 1000);
const PER_NODE = Number(process.env.BENCH_PER_NODE ?? 50);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 8);
const TOTAL = NODES * PER_NODE;
const RECEIVE_MAXIMUM = Number(process.env.BENCH_RECEIVE_MAXIMUM ?? 2000);
const MAX_BATCH = Number(process.env.BENCH_MAX_BATCH ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const log = createLogger((line) => process.stderr.write(`${line}\n`), "warn");

interface RunResult {
  seconds: number;
  handled: number;
  publishSeconds: number;
  /** CPU seconds from "go" to the end, each side's own: where two cores' time went. */
  cpu: { broker: number; publishers: number; cloud: number };
}

/** A process's CPU seconds so far, all its threads (Linux /proc: utime + stime, in USER_HZ = 100 ticks a second). */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Starts the publishers (a child process), waits until all are connected, lets them go, and resolves when `finished` says so. */
async function run(broker: Mosquitto, boot: number, finished: () => boolean | Promise<boolean>): Promise<RunResult> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./ingest-publishers.ts", import.meta.url)), [broker.url, String(NODES), String(PER_NODE), String(boot), String(WINDOW)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => code !== 0 && reject(new Error(`publishers exited with ${code}`))));
  await Promise.race([new Promise<void>((resolve) => child.once("message", () => resolve())), exited]);
  let publishMs = 0;
  let publishersCpu = 0;
  child.on("message", (message: { ms?: number; cpuSeconds?: number }) => {
    publishMs = message.ms ?? publishMs;
    publishersCpu = message.cpuSeconds ?? publishersCpu;
  });
  const brokerCpu = processCpuSeconds(broker.pid);
  const cloudCpu = ownCpuSeconds();
  const started = performance.now();
  child.send({ go: true });
  while (!(await finished())) await new Promise((resolve) => setTimeout(resolve, 2));
  const seconds = (performance.now() - started) / 1000;
  const cpu = { broker: processCpuSeconds(broker.pid) - brokerCpu, publishers: 0, cloud: ownCpuSeconds() - cloudCpu };
  await Promise.race([new Promise((resolve) => child.once("exit", resolve)), new Promise((resolve) => setTimeout(resolve, 5000))]);
  cpu.publishers = publishersCpu;
  return { seconds, handled: 0, publishSeconds: publishMs / 1000, cpu };
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
  const subscription = await startSubscriber({ url: broker.url, clientId: `bench-ceiling-${boot}`, protocolVersion: 5, receiveMaximum: RECEIVE_MAXIMUM, sessionExpirySeconds: 0 }, sink, log);
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
  const format = (n: number) => Math.round(n).toLocaleString("en-US");
  const rows: string[] = [];
  const row = (label: string, messages: number, seconds: number, cpu: RunResult["cpu"]) =>
    rows.push(
      `  ${label.padEnd(42)} ${format(messages).padStart(9)} ${seconds.toFixed(2).padStart(9)} ${format(messages / seconds).padStart(11)}   ` +
        `${cpu.broker.toFixed(2).padStart(6)} ${cpu.publishers.toFixed(2).padStart(6)} ${cpu.cloud.toFixed(2).padStart(6)}`,
    );
  /** The cloud side's CPU per message in each kind of round: the ingest's own cost is the difference. */
  const cloudCpuPerMessage = { ceiling: [] as number[], ingest: [] as number[] };
  try {
    process.stderr.write(`bench:ingest: ${NODES} nodes × ${PER_NODE} telemetry messages = ${TOTAL} per run, QoS 1, ${WINDOW} in flight per node, ${ROUNDS} rounds\n`);
    await ceiling(broker, 1); // warm-up: connections, JIT, the broker's first contact with every client id
    const ceilings: number[] = [];
    const persistedRates: number[] = [];
    let lost = 0;
    let batches = 0;
    let largest = 0;
    let failed = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const boot = 1 + round * 2;
      const open = await ceiling(broker, boot - 1);
      ceilings.push(TOTAL / open.seconds);
      row(`round ${round}: no-op subscriber (ceiling)`, TOTAL, open.seconds, open.cpu);
      cloudCpuPerMessage.ceiling.push(open.cpu.cloud / TOTAL);

      const ingest = createIngest({ db: database.db, feed: new AlarmFeed(), log, now: Date.now, maxBatch: MAX_BATCH, durable: database.durable });
      // Session expiry 0: a session that outlived its round would queue the next rounds' messages.
      const subscription = await startSubscriber(
        { url: broker.url, clientId: `bench-ingest-${round}`, protocolVersion: 5, receiveMaximum: RECEIVE_MAXIMUM, sessionExpirySeconds: 0 },
        ingest,
        log,
      );
      const stored = await run(broker, boot, () => ingest.stats.stored + ingest.stats.duplicates + ingest.stats.failed >= TOTAL);
      await ingest.idle();
      await subscription.close();
      // The round is charged for the whole of its work: the checkpoint thread's copying of what
      // it wrote, the last of which would otherwise fall into the next round.
      const checkpointStarted = performance.now();
      const cpuBeforeCheckpoint = ownCpuSeconds();
      await database.checkpoint();
      stored.seconds += (performance.now() - checkpointStarted) / 1000;
      stored.cpu.cloud += ownCpuSeconds() - cpuBeforeCheckpoint;
      const [count] = await database.db.all<{ rows: number; keys: number }>(
        sql`select count(*) as rows, count(distinct node_id || '/' || seq) as keys from telemetry where boot_id = ${boot}`,
      );
      persistedRates.push(count.rows / stored.seconds);
      lost += TOTAL - count.keys;
      batches += ingest.stats.batches;
      largest = Math.max(largest, ingest.stats.largestBatch);
      failed += ingest.stats.failed;
      row(`round ${round}: ingest, persisted + checkpointed`, count.rows, stored.seconds, stored.cpu);
      cloudCpuPerMessage.ingest.push(stored.cpu.cloud / TOTAL);
    }
    const bestCeiling = Math.max(...ceilings);
    const bestPersisted = Math.max(...persistedRates);
    const lines = [
      "",
      `bench:ingest — ${format(NODES)} simulated nodes (mqtt.js clients in a separate process) × ${PER_NODE} telemetry messages, QoS 1, ${WINDOW} in flight per node`,
      `broker: ${version}, project config (deploy/mosquitto/shouwang.conf); store: libSQL file, WAL; ingest: group commit ≤ ${MAX_BATCH} per transaction, Receive Maximum ${RECEIVE_MAXIMUM}`,
      "",
      `  ${"".padEnd(42)} ${"".padStart(9)} ${"".padStart(9)} ${"".padStart(11)}   CPU seconds (2 cores)`,
      `  ${"".padEnd(42)} ${"messages".padStart(9)} ${"seconds".padStart(9)} ${"msg/s".padStart(11)}   ${"broker".padStart(6)} ${"pubs".padStart(6)} ${"cloud".padStart(6)}`,
      ...rows,
      "",
      `  persisted per second (best round)  ${format(bestPersisted)}`,
      `  broker ceiling (best round)        ${format(bestCeiling)}`,
      `  ratio                              ${(bestPersisted / bestCeiling).toFixed(2)}   (goal ≥ 0.80)`,
      `  cloud CPU per message (median)     ${micros(median(cloudCpuPerMessage.ingest))} ingest, ${micros(median(cloudCpuPerMessage.ceiling))} no-op subscriber: the ingest's own ${micros(median(cloudCpuPerMessage.ingest) - median(cloudCpuPerMessage.ceiling))}`,
      `  lost                               ${lost}      (goal 0: every (node, seq) of every round is in the telemetry table)`,
      `  transactions                       ${batches}, largest ${largest} messages; failed writes ${failed}`,
      `  checkpoints (their own thread)     ${checkpointsText(database.checkpoints)}`,
      "",
    ];
    process.stdout.write(lines.join("\n"));
    if (lost !== 0) process.exitCode = 1;
  } finally {
    database.close();
    await broker.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const micros = (seconds: number) => `${(seconds * 1e6).toFixed(1)} µs`;

main().catch((error) => {
  process.stderr.write(`bench:ingest failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
