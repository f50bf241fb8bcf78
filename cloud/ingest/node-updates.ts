import type { InStatement, InValue } from "@libsql/client";
import type { HealthMessage, StatusMessage } from "../../shared/messages";
import { placeholders } from "../db/client";
import { hasSensorFault, healthSummary } from "../nodes/health-queries";

/**
 * The per-node updates of a batch as ONE statement each, not one per message: when 10,000 nodes
 * reconnect at once, every batch carries hundreds of online statuses and heartbeats, and one
 * prepared UPDATE per message held the event loop for up to a second per batch (bench:storm,
 * BENCH_TRACE_SLOW). `UPDATE … FROM (VALUES …)` (SQLite 3.33, "UPDATE FROM") applies a row per
 * node; where a batch holds several for one node, the one that sequential application would have
 * left in place is chosen here first, so the result is the same as one statement per message.
 */

/**
 * Online/offline statuses (see `applyStatement` in nodes/queries.ts for the rule): a status applies
 * only if it speaks for the newest connection. Of several for one node the survivor is the one
 * with the greatest (boot, connection), and at equal connection the offline one (a will for a
 * connection also ends it; an online status for the same connection no longer applies).
 */
export function applyStatusesSql(statuses: StatusMessage[]): InStatement | null {
  const chosen = new Map<string, { status: StatusMessage; connection: number }>();
  for (const status of statuses) {
    const connection = status.online ? (status.willSeq ?? status.seq - 1) : status.seq;
    const held = chosen.get(status.node);
    const wins =
      !held ||
      status.boot > held.status.boot ||
      (status.boot === held.status.boot && (connection > held.connection || (connection === held.connection && !status.online)));
    if (wins) chosen.set(status.node, { status, connection });
  }
  if (chosen.size === 0) return null;
  const args: InValue[] = [];
  for (const { status, connection } of chosen.values()) args.push(status.node, status.boot, connection, status.online ? 1 : 0, status.firmware);
  // column1 node, column2 boot, column3 connection, column4 online, column5 firmware
  return {
    sql: `update nodes set online = v.column4, offline_reason = case when v.column4 = 1 then null else 'will' end,
        status_boot = v.column2, status_will_seq = v.column3, firmware = v.column5
      from (values ${placeholders(chosen.size, 5)}) as v
      where nodes.id = v.column1 and (nodes.status_boot is null or nodes.status_boot < v.column2
        or (nodes.status_boot = v.column2 and (nodes.status_will_seq < v.column3 or (v.column4 = 0 and nodes.status_will_seq = v.column3))))`,
    args,
  };
}

/** Each node's newest heartbeat of the batch onto its row, unless the row holds a newer one by (boot, seq). */
export function latestHealthSql(messages: HealthMessage[], receivedAt: number): InStatement | null {
  const newest = new Map<string, HealthMessage>();
  for (const m of messages) {
    const held = newest.get(m.node);
    if (!held || m.boot > held.boot || (m.boot === held.boot && m.seq > held.seq)) newest.set(m.node, m);
  }
  if (newest.size === 0) return null;
  const args: InValue[] = [];
  for (const m of newest.values()) {
    args.push(m.node, m.kind, m.firmware, m.intervalMs, JSON.stringify(healthSummary(m)), m.boot, m.seq, hasSensorFault(m) ? 1 : 0, receivedAt);
  }
  // column1 node, 2 kind, 3 firmware, 4 interval, 5 summary, 6 boot, 7 seq, 8 sensor fault, 9 received
  return {
    sql: `update nodes set kind = v.column2, firmware = v.column3, heartbeat_ms = v.column4, last_health_at = v.column9,
        health = v.column5, health_boot = v.column6, health_seq = v.column7, sensor_fault = v.column8
      from (values ${placeholders(newest.size, 9)}) as v
      where nodes.id = v.column1 and (nodes.health_boot is null or nodes.health_boot < v.column6
        or (nodes.health_boot = v.column6 and nodes.health_seq < v.column7))`,
    args,
  };
}
