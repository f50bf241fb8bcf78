import type { Db } from "../db/client";
import { HOUR_MS, MINUTE_MS } from "./rollup";

export const SERIES_WINDOWS = ["1h", "24h", "7d"] as const;
export type SeriesWindow = (typeof SERIES_WINDOWS)[number];

/**
 * What each window reads: never raw rows. 1 h is sixty 1-minute buckets, 24 h the 1-minute rollup
 * merged into 288 five-minute buckets, 7 d the 168 hourly buckets: a chart gets at most a few
 * hundred points a metric, and a 7-day query reads 168 rows a metric whatever the nodes sent.
 */
const WINDOWS: Record<SeriesWindow, { spanMs: number; table: "telemetry_1m" | "telemetry_1h"; bucketMs: number }> = {
  "1h": { spanMs: HOUR_MS, table: "telemetry_1m", bucketMs: MINUTE_MS },
  "24h": { spanMs: 24 * HOUR_MS, table: "telemetry_1m", bucketMs: 5 * MINUTE_MS },
  "7d": { spanMs: 7 * 24 * HOUR_MS, table: "telemetry_1h", bucketMs: HOUR_MS },
};

export interface MetricSeries {
  /** Bucket starts, ms since the epoch, ascending; the other arrays line up with it. */
  t: number[];
  min: number[];
  max: number[];
  mean: number[];
  n: number[];
}

export interface NodeSeries {
  window: SeriesWindow;
  from: number;
  to: number;
  bucketMs: number;
  metrics: Record<string, MetricSeries>;
  /** Boots in the window, from the node's `booted` events: when and why. */
  resets: Array<{ at: number; bootId: number; reason: string | null }>;
}

export async function nodeSeries(db: Db, nodeId: string, window: SeriesWindow, now: number): Promise<NodeSeries> {
  const { spanMs, table, bucketMs } = WINDOWS[window];
  const from = Math.floor((now - spanMs) / bucketMs) * bucketMs;
  const rows = await db.$client.execute({
    sql: `select metric, (bucket / ${bucketMs}) * ${bucketMs} as t, sum(n) as n, min(min) as min, max(max) as max, sum(sum) as sum
      from ${table} where node_id = ? and bucket >= ? group by metric, t order by metric, t`,
    args: [nodeId, from],
  });
  const metrics: Record<string, MetricSeries> = {};
  for (const row of rows.rows) {
    const name = String(row.metric);
    const series = (metrics[name] ??= { t: [], min: [], max: [], mean: [], n: [] });
    const n = Number(row.n);
    series.t.push(Number(row.t));
    series.min.push(Number(row.min));
    series.max.push(Number(row.max));
    series.mean.push(Number(row.sum) / n);
    series.n.push(n);
  }
  const boots = await db.$client.execute({
    sql: `select boot_id, received_at, json_extract(data, '$.resetReason') as reason from node_events
      where node_id = ? and name = 'booted' and received_at >= ? order by received_at`,
    args: [nodeId, from],
  });
  const resets = boots.rows.map((row) => ({ at: Number(row.received_at), bootId: Number(row.boot_id), reason: row.reason === null ? null : String(row.reason) }));
  return { window, from, to: now, bucketMs, metrics, resets };
}
