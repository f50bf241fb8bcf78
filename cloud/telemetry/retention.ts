import type { Db } from "../db/client";
import type { Logger } from "../log";
import { repeatWithoutOverlap } from "../time/repeat-without-overlap";
import { rollUpAll, rolledUpThrough } from "./rollup";

const DAY_MS = 86_400_000;

export interface RetentionSettings {
  /** Days raw telemetry rows and heartbeats are kept (TELEMETRY_RAW_DAYS). */
  rawDays: number;
  /** Days the 1-minute rollups are kept (TELEMETRY_MINUTE_DAYS). */
  minuteDays: number;
  /** Days the 1-hour rollups are kept (TELEMETRY_HOUR_DAYS). */
  hourDays: number;
}

export const RETENTION_DEFAULTS: RetentionSettings = { rawDays: 2, minuteDays: 3, hourDays: 400 };

/**
 * Rows deleted per statement. A delete holds SQLite's single write lock for its duration; 500
 * rows take about a millisecond, so the ingest's next group commit never waits long behind one.
 */
export const DELETE_BATCH_ROWS = 500;

/**
 * Deletes what has aged out, oldest first, in small statements with a pause between them. Raw rows
 * go only once rolled up (ids at or below the rollup's progress), so nothing is lost from the
 * charts. Raw tables are walked by id — ids follow arrival, so the oldest rows are the lowest ids
 * and no time index is needed on the 86-million-rows-a-day table; rollups by their bucket index.
 * Returns the rows deleted per table; stops after `maxBatches` statements per table.
 */
export async function pruneOnce(
  db: Db,
  now: number,
  settings: RetentionSettings,
  options: { maxBatches?: number; observe?: (table: string, ms: number, rows: number) => void } = {},
): Promise<Record<string, number>> {
  const maxBatches = options.maxBatches ?? 10_000;
  const deleted: Record<string, number> = {};
  const run = async (table: string, sql: string, args: Array<number>) => {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const started = performance.now();
      const result = await db.$client.execute({ sql, args });
      options.observe?.(table, performance.now() - started, result.rowsAffected);
      total += result.rowsAffected;
      if (result.rowsAffected < DELETE_BATCH_ROWS) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    deleted[table] = total;
  };
  const rawCutoff = now - settings.rawDays * DAY_MS;
  for (const table of ["telemetry", "node_health"] as const) {
    const rolled = await rolledUpThrough(db, table);
    await run(
      table,
      `delete from ${table} where id in (select id from ${table} where id <= ? order by id limit ${DELETE_BATCH_ROWS}) and received_at < ?`,
      [rolled, rawCutoff],
    );
  }
  await run("telemetry_1m", `delete from telemetry_1m where rowid in (select rowid from telemetry_1m where bucket < ? limit ${DELETE_BATCH_ROWS})`, [now - settings.minuteDays * DAY_MS]);
  await run("telemetry_1h", `delete from telemetry_1h where rowid in (select rowid from telemetry_1h where bucket < ? limit ${DELETE_BATCH_ROWS})`, [now - settings.hourDays * DAY_MS]);
  return deleted;
}

/** How often the keeper rolls up, unless told otherwise. */
export const ROLLUP_EVERY_MS = 10_000;

export interface TelemetryKeeper {
  /** Rolls up what came in and deletes what aged out; what the timer runs. */
  run(): Promise<void>;
  stop(): void;
}

/** Rolls up every `everyMs` (default 10 s) and prunes every `pruneEveryMs` (default 10 min), never two runs at once. */
export function startTelemetryKeeper(deps: {
  db: Db;
  now: () => number;
  log: Logger;
  settings: RetentionSettings;
  everyMs?: number;
  pruneEveryMs?: number;
  /** Waited for before each rollup step (IngestDeps.calm). */
  calm?: () => Promise<void>;
}): TelemetryKeeper {
  const { db, now, log, settings } = deps;
  let lastPrune = 0;
  const run = async () => {
    await rollUpAll(db, undefined, deps.calm);
    if (now() - lastPrune >= (deps.pruneEveryMs ?? 600_000)) {
      lastPrune = now();
      const deleted = await pruneOnce(db, now(), settings);
      const total = Object.values(deleted).reduce((a, b) => a + b, 0);
      if (total > 0) log("info", "telemetry retention deleted aged rows", deleted);
    }
  };
  const stop = repeatWithoutOverlap(run, { everyMs: deps.everyMs ?? ROLLUP_EVERY_MS, log, failure: "telemetry rollup or retention failed" });
  return { run, stop };
}
