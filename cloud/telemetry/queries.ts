import type { InStatement } from "@libsql/client";
import type { TelemetryMessage } from "../../shared/messages";

/**
 * Inserts telemetry once each by (node, boot, seq), in one statement of constant text: the rows go
 * in as one JSON array, unpacked by SQLite's json_each in arrival order. A VALUES list of a
 * thousand rows (6,000 placeholders) was compiled afresh for every batch, since the client keeps
 * no prepared statements: that compiling and the returned keys were a third of the ingest's time
 * in bench:ingest. It returns no rows; which messages were copies is asked just before, in the
 * same transaction (telemetryPresentSql), and is nearly always none.
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

/** The keys among `messages` already stored (copies of earlier ones), each looked up by the table's unique (node, boot, seq) index. */
export function telemetryPresentSql(messages: TelemetryMessage[]): InStatement {
  return {
    sql: `select t.node_id, t.boot_id, t.seq from json_each(?) j cross join telemetry t
      on t.node_id = j.value ->> 0 and t.boot_id = j.value ->> 1 and t.seq = j.value ->> 2`,
    args: [JSON.stringify(messages.map((m) => [m.node, m.boot, m.seq]))],
  };
}
