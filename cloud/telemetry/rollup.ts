import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client";

/** Bucket widths of the two rollup tables. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Heartbeat figures rolled up beside the telemetry readings, under these metric names. */
export const HEALTH_METRICS = {
  "heap.free": "free_heap_bytes",
  "heap.minFree": "min_free_heap_bytes",
  rssi: "rssi_dbm",
  outbox: "outbox_depth",
} as const;

/**
 * Raw rows counted per step: one step is one short write transaction, so the ingest's group
 * commits interleave with a catch-up of hours instead of waiting behind it. 2,000 rows took 40 ms
 * of the event loop while 10,000 nodes reconnected (bench:storm, BENCH_SQL_PROFILE). On the bulk
 * thread, which shares SQLite's write lock with the alarms' writes, a step of 500 held the lock
 * for 10–15 ms of its own CPU, and an alarm arriving then waited for all of it (bench:storm, the
 * lock's holds traced with /proc/thread-self/schedstat); with 100, the steps among the holds over
 * 10 ms ran 4 ms on average, at most 9.
 */
export const ROLLUP_STEP_ROWS = 100;

type Source = "telemetry" | "node_health";
const TABLES = [
  ["telemetry_1m", MINUTE_MS],
  ["telemetry_1h", HOUR_MS],
] as const;

function merge(table: string): string {
  return `on conflict (node_id, bucket, metric) do update set n = ${table}.n + excluded.n, min = min(${table}.min, excluded.min),
    max = max(${table}.max, excluded.max), sum = ${table}.sum + excluded.sum`;
}

const DONE = (source: Source) => `coalesce((select done_through_id from rollup_progress where source = '${source}'), 0)`;

/**
 * Adds the next `stepRows` raw ids after the recorded progress to a rollup table. Buckets merge
 * (counts and sums add, extremes compare), so a bucket may be filled by several steps. The range
 * is read from rollup_progress inside the same write transaction that moves it, so each raw row
 * is counted once even with two cloud instances rolling up side by side.
 */
function rollupSql(source: Source, table: string, bucketMs: number, stepRows: number): InStatement {
  const range = (id: string) => `${id} > ${DONE(source)} and ${id} <= ${DONE(source)} + ${stepRows}`;
  if (source === "telemetry") {
    return {
      sql: `insert into ${table} (node_id, bucket, metric, n, min, max, sum)
        select t.node_id, (t.received_at / ${bucketMs}) * ${bucketMs}, j.key, count(*), min(j.value), max(j.value), sum(j.value)
        from telemetry t, json_each(t.readings) j
        where ${range("t.id")} and j.type in ('integer', 'real')
        group by 1, 2, 3
        ${merge(table)}`,
      args: [],
    };
  }
  const parts = Object.entries(HEALTH_METRICS).map(
    ([metric, column]) => `select node_id, (received_at / ${bucketMs}) * ${bucketMs} as bucket, '${metric}' as metric, ${column} as v from node_health where ${range("id")}`,
  );
  return {
    sql: `insert into ${table} (node_id, bucket, metric, n, min, max, sum)
      select node_id, bucket, metric, count(*), min(v), max(v), sum(v) from (${parts.join(" union all ")})
      where v is not null
      group by 1, 2, 3
      ${merge(table)}`,
    args: [],
  };
}

export async function rolledUpThrough(db: Db, source: Source): Promise<number> {
  const result = await db.$client.execute({ sql: "select done_through_id from rollup_progress where source = ?", args: [source] });
  return result.rows.length ? Number(result.rows[0].done_through_id) : 0;
}

/** One step of one source; returns how many raw ids it covered (0: caught up). */
export async function rollUpStep(db: Db, source: Source, stepRows = ROLLUP_STEP_ROWS): Promise<number> {
  const done = await rolledUpThrough(db, source);
  const newest = Number((await db.$client.execute(`select coalesce(max(id), 0) as id from ${source}`)).rows[0].id);
  if (newest <= done) return 0;
  const results = await db.$client.batch(
    [
      ...TABLES.map(([table, bucketMs]) => rollupSql(source, table, bucketMs, stepRows)),
      {
        sql: `insert into rollup_progress (source, done_through_id)
          values ('${source}', min((select coalesce(max(id), 0) from ${source}), ${DONE(source)} + ${stepRows}))
          on conflict (source) do update set done_through_id = excluded.done_through_id
          returning done_through_id`,
        args: [],
      },
    ],
    "write",
  );
  return Math.max(1, Number(results[results.length - 1].rows[0].done_through_id) - done);
}

/**
 * Rolls everything stored so far, step by step, letting other work run between steps; `between`
 * may hold the next step back longer (Urgency.calm while an alarm is in hand).
 */
export async function rollUpAll(db: Db, stepRows = ROLLUP_STEP_ROWS, between?: () => Promise<void>): Promise<number> {
  let total = 0;
  for (const source of ["telemetry", "node_health"] as const) {
    for (;;) {
      const covered = await rollUpStep(db, source, stepRows);
      if (covered === 0) break;
      total += covered;
      await new Promise<void>((resolve) => setImmediate(resolve));
      await between?.();
    }
  }
  return total;
}
