import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Rolled-up series of every node: each telemetry reading (smokeRaw, temperatures, currents …) and
 * each heartbeat figure (free and minimum heap, RSSI, outbox depth), per metric and time bucket:
 * count, min, max and sum (the mean is sum / count, and partial buckets merge by adding). Charts
 * read these, so a 7-day window is 168 rows a metric whatever the raw rate; raw rows are kept
 * only TELEMETRY_RAW_DAYS (cloud/telemetry/retention.ts).
 */
const rollupColumns = {
  nodeId: text("node_id").notNull(),
  /** Bucket start, ms since the epoch (a whole minute or hour, by when the cloud received the rows). */
  bucket: integer("bucket").notNull(),
  metric: text("metric").notNull(),
  n: integer("n").notNull(),
  min: real("min").notNull(),
  max: real("max").notNull(),
  sum: real("sum").notNull(),
};

export const telemetry1m = sqliteTable("telemetry_1m", rollupColumns, (table) => [
  primaryKey({ columns: [table.nodeId, table.bucket, table.metric] }),
  index("telemetry_1m_bucket").on(table.bucket),
]);

export const telemetry1h = sqliteTable("telemetry_1h", rollupColumns, (table) => [
  primaryKey({ columns: [table.nodeId, table.bucket, table.metric] }),
  index("telemetry_1h_bucket").on(table.bucket),
]);

/** How far each raw table has been rolled up: the highest row id already counted. */
export const rollupProgress = sqliteTable("rollup_progress", {
  source: text("source").primaryKey(),
  doneThroughId: integer("done_through_id").notNull(),
});
