import type { InStatement } from "@libsql/client";
import type { TelemetryMessage } from "../../shared/messages";

/**
 * Inserts telemetry once each by (node, boot, seq), in one statement of constant text: the rows go
 * in as one JSON array, unpacked by SQLite's json_each in arrival order. A VALUES list of a
 * thousand rows (6,000 placeholders) was compiled afresh for every batch, since the client keeps
 * no prepared statements: that compiling and the returned keys were a third of the ingest's time
 * in bench:ingest. It returns no rows: its count of rows inserted tells whether any message was a
 * copy, which is nearly never (telemetryCopiesSql).
 */
export function insertTelemetrySql(messages: TelemetryMessage[], receivedAt: number): InStatement {
  return {
    // `where true` lets SQLite tell the upsert's ON CONFLICT from a join's ON.
    sql: `insert into telemetry (node_id, boot_id, seq, node_time_ms, readings, received_at)
      select j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, ? from json_each(?) j where true
      on conflict (node_id, boot_id, seq) do nothing`,
    args: [receivedAt, JSON.stringify(messages.map((m) => [m.node, m.boot, m.seq, m.t, JSON.stringify(m.readings)]))],
  };
}

/** The telemetry table's last row id, read in the transaction before an insert: rows at or below it were there before. */
export const LAST_TELEMETRY_ID_SQL = "select coalesce(max(id), 0) as id from telemetry";

/**
 * Which of `messages` were stored before a batch whose insert counted fewer rows than it had
 * (copies of earlier ones: a replay after a lost PUBACK): each key looked up by the table's
 * unique (node, boot, seq) index, kept if its row is at or below the last id before the insert.
 * Asking only then, not in every transaction, saved a query per batch that was 15 % of the
 * ingest's time in bench:ingest (and found nothing nearly always).
 */
export function telemetryCopiesSql(messages: TelemetryMessage[], lastIdBefore: number): InStatement {
  return {
    sql: `select t.node_id, t.boot_id, t.seq from json_each(?) j cross join telemetry t
      on t.node_id = j.value ->> 0 and t.boot_id = j.value ->> 1 and t.seq = j.value ->> 2
      where t.id <= ?`,
    args: [JSON.stringify(messages.map((m) => [m.node, m.boot, m.seq])), lastIdBefore],
  };
}
