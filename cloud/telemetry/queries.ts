import type { InStatement, InValue } from "@libsql/client";
import type { TelemetryMessage } from "../../shared/messages";
import { placeholders } from "../db/client";

/** Inserts telemetry once each by (node, boot, seq), in one statement; returns the keys it inserted. */
export function insertTelemetrySql(messages: TelemetryMessage[], receivedAt: number): InStatement {
  const args: InValue[] = [];
  for (const m of messages) args.push(m.node, m.boot, m.seq, m.t, JSON.stringify(m.readings), receivedAt);
  return {
    sql: `insert into telemetry (node_id, boot_id, seq, node_time_ms, readings, received_at) values ${placeholders(messages.length, 6)}
      on conflict (node_id, boot_id, seq) do nothing returning node_id, boot_id, seq`,
    args,
  };
}
