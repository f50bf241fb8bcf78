import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../cloud/db/client";
import { insertHealthSql } from "../cloud/nodes/health-queries";
import { insertTelemetrySql } from "../cloud/telemetry/queries";
import { pruneOnce, RETENTION_DEFAULTS } from "../cloud/telemetry/retention";
import { rollUpAll } from "../cloud/telemetry/rollup";
import type { InStatement } from "@libsql/client";
import type { HealthMessage, TelemetryMessage } from "../shared/messages";

/**
 * bench:retention — 30 simulated days of telemetry (every 10 s: smoke chamber, temperature,
 * current) and heartbeats (every 60 s) from a sample of nodes, through the ingest's own batch
 * writer into a libSQL file, with the rollups and the retention running beside the ingest as
 * the cloud runs them (default settings: raw 2 days, 1-minute 8 days, 1-hour 400 days). Time is
 * simulated; every row is really written, rolled up and deleted. Rows are written with the
 * ingest's own insert statements, each minute's rows with that minute's arrival time, ten
 * minutes to a transaction (the ingest commits far more often; the rows stored are the same).
 *
 * It prints the bytes each node costs per day in each tier, the database's size after 30 days,
 * scaled from the sample to 10,000 nodes (every row belongs to one node, so size is linear in
 * the node count; the sample is measured, the 10,000 is that measurement times 10,000 / sample),
 * and how long ingest batches and single retention statements hold the database, before and
 * while old rows are being deleted.
 *
 *   --nodes N (10: nodes really simulated)  --days D (30)  --fleet F (10000: the fleet to scale to)
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const NODES = arg("nodes", 10);
const DAYS = arg("days", 30);
const FLEET = arg("fleet", 10_000);
const MINUTE = 60_000;
const DAY = 86_400_000;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "sw-bench-retention-"));
  const file = join(dir, "retention.db");
  const { db, client, close } = await openDatabase(`file:${file}`);
  const settings = RETENTION_DEFAULTS;
  const ids = Array.from({ length: NODES }, (_, i) => `bench-node-${String(i).padStart(5, "0")}`);
  const seq = new Map(ids.map((id) => [id, 1]));
  const start = Date.UTC(2026, 10, 1);
  const batchMs: Array<{ day: number; ms: number }> = [];
  const statementMs: number[] = [];
  let maintenance: Promise<void> | undefined;
  let deletedRows = 0;
  const sizes: Array<{ day: number; live: number; file: number }> = [];

  const liveBytes = async () => {
    const pages = Number((await client.execute("pragma page_count")).rows[0][0]);
    const free = Number((await client.execute("pragma freelist_count")).rows[0][0]);
    const size = Number((await client.execute("pragma page_size")).rows[0][0]);
    return (pages - free) * size;
  };

  const wall = performance.now();
  let pending: InStatement[] = [];
  for (let minute = 0; minute < DAYS * 1440; minute++) {
    const at = start + minute * MINUTE;
    const telemetry: TelemetryMessage[] = [];
    const health: HealthMessage[] = [];
    for (const node of ids) {
      for (let k = 0; k < 6; k++) {
        const s = seq.get(node)!;
        seq.set(node, s + 1);
        telemetry.push({
          v: 1, node, boot: 1, seq: s, t: minute * MINUTE + k * 10_000, type: "telemetry",
          readings: { smokeRaw: 300 + Math.round(Math.random() * 40), temperatureC: Math.round((21 + Math.random() * 3) * 10) / 10, currentA: Math.round(Math.random() * 800) / 100 },
        });
      }
      const s = seq.get(node)!;
      seq.set(node, s + 1);
      health.push({
        v: 1, node, boot: 1, seq: s, t: minute * MINUTE, type: "health", kind: "sensor", firmware: "0.2.0", intervalMs: 60_000,
        heap: { freeBytes: 150_000 - Math.round(Math.random() * 4000), minFreeBytes: 140_000 }, rssiDbm: -60 - Math.round(Math.random() * 15),
        resetReason: "power-on", sensors: { smoke: "ok", heat: "ok" }, outbox: { depth: 0, capacity: 32, alarms: 0 }, dropped: { telemetry: 0, event: 0, alarm: 0 },
      });
    }
    pending.push(insertTelemetrySql(telemetry, at + 30_000), insertHealthSql(health, at + 30_000));
    if (minute % 10 !== 9) continue;
    const began = performance.now();
    await client.batch(pending, "write");
    pending = [];
    batchMs.push({ day: Math.floor(minute / 1440), ms: performance.now() - began });
    // The cloud's keeper: roll up every 10 s of its time (here every simulated 10 minutes, the same
    // rows in fewer steps), prune every 10 minutes; it runs beside the ingest, never awaited by it.
    if (minute % 10 === 9 && !maintenance) {
      const now = at + MINUTE;
      maintenance = (async () => {
        await rollUpAll(db);
        const deleted = await pruneOnce(db, now, settings, { observe: (_table, ms) => statementMs.push(ms) });
        deletedRows += Object.values(deleted).reduce((a, b) => a + b, 0);
      })().finally(() => (maintenance = undefined));
    }
    if (minute % 1440 === 1439) {
      await maintenance;
      const day = Math.floor(minute / 1440) + 1;
      sizes.push({ day, live: await liveBytes(), file: statSync(file).size });
      process.stderr.write(`day ${day}: ${(sizes.at(-1)!.live / 1e6).toFixed(1)} MB live, ${((performance.now() - wall) / 1000).toFixed(0)} s\n`);
    }
  }
  await maintenance;

  const tables = ["telemetry", "node_health", "telemetry_1m", "telemetry_1h"] as const;
  const rows: Record<string, number> = {};
  for (const table of tables) rows[table] = Number((await client.execute(`select count(*) as n from ${table}`)).rows[0].n);
  let perTable: Record<string, number> | undefined;
  try {
    // SQLite's dbstat: bytes of every table and index, so each tier's share is measured, not guessed.
    const stat = await client.execute("select name, sum(pgsize) as bytes from dbstat group by name");
    perTable = Object.fromEntries(stat.rows.map((r) => [String(r.name), Number(r.bytes)]));
  } catch {
    perTable = undefined;
  }
  const live = await liveBytes();
  const fileBytes = statSync(file).size;
  close();
  rmSync(dir, { recursive: true, force: true });

  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
  const tierBytes = (prefix: string) =>
    perTable ? Object.entries(perTable).filter(([name]) => name === prefix || name.startsWith(`${prefix}_`) || name.startsWith(`sqlite_autoindex_${prefix}_`)).reduce((a, [, b]) => a + b, 0) : NaN;
  const early = batchMs.filter((b) => b.day < settings.rawDays).map((b) => b.ms);
  const late = batchMs.filter((b) => b.day >= settings.rawDays + 1).map((b) => b.ms);
  const lines = [
    `bench:retention — ${NODES} nodes really simulated for ${DAYS} days (telemetry every 10 s with 3 readings, a heartbeat every 60 s), scaled to ${FLEET.toLocaleString("en")} nodes`,
    `settings: raw ${settings.rawDays} d, 1-minute rollups ${settings.minuteDays} d, 1-hour rollups ${settings.hourDays} d; ran ${((performance.now() - wall) / 1000).toFixed(0)} s`,
    `raw written per node per day: ${kb(sizes[0].live / NODES)} (live size after day 1, before anything could be deleted)`,
  ];
  if (perTable) {
    const raw = tierBytes("telemetry") - tierBytes("telemetry_1m") - tierBytes("telemetry_1h") + tierBytes("node_health");
    lines.push(
      `kept per node per day of each tier: raw ${kb(raw / NODES / settings.rawDays)}, 1-minute ${kb(tierBytes("telemetry_1m") / NODES / Math.min(DAYS, settings.minuteDays))}, 1-hour ${kb(tierBytes("telemetry_1h") / NODES / Math.min(DAYS, settings.hourDays))}`,
    );
  }
  lines.push(
    `rows after ${DAYS} days: ${tables.map((t) => `${t} ${rows[t].toLocaleString("en")}`).join(", ")}; deleted ${deletedRows.toLocaleString("en")}`,
    `database after ${DAYS} days: ${gb(live)} live (${gb(fileBytes)} file) for ${NODES} nodes → ${gb((live * FLEET) / NODES)} for ${FLEET.toLocaleString("en")} nodes; a day of ${FLEET.toLocaleString("en")} nodes kept for ever raw would add ${gb((sizes[0].live * FLEET) / NODES)}`,
    `write transaction (${NODES * 70} rows) p50/p99/max: ${percentile(early, 50).toFixed(2)}/${percentile(early, 99).toFixed(2)}/${Math.max(...early).toFixed(2)} ms before any deletion, ${percentile(late, 50).toFixed(2)}/${percentile(late, 99).toFixed(2)}/${Math.max(...late).toFixed(2)} ms while deleting`,
    `retention statements: ${statementMs.length.toLocaleString("en")}, p50/p99/max ${percentile(statementMs, 50).toFixed(2)}/${percentile(statementMs, 99).toFixed(2)}/${Math.max(0, ...statementMs).toFixed(2)} ms each (the longest the ingest can wait behind one)`,
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
