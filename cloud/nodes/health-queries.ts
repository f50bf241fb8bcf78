import { and, desc, eq, gte, lt } from "drizzle-orm";
import type { HealthMessage } from "../../shared/messages";
import type { InStatement, InValue } from "@libsql/client";
import { placeholders, type Db } from "../db/client";
import { nodeHealth } from "../db/schema";

/** Inserts heartbeats once each by (node, boot, seq), in one statement; returns the keys it inserted. */
export function insertHealthSql(messages: HealthMessage[], receivedAt: number): InStatement {
  const args: InValue[] = [];
  for (const m of messages) {
    args.push(
      m.node, m.boot, m.seq, m.t, m.firmware,
      m.heap?.freeBytes ?? null, m.heap?.minFreeBytes ?? null, m.rssiDbm === undefined ? null : Math.round(m.rssiDbm), m.resetReason,
      m.outbox.depth, m.outbox.alarms, m.dropped.telemetry, m.dropped.event, m.dropped.alarm,
      JSON.stringify(m.sensors), hasSensorFault(m) ? 1 : 0, m.lastError ?? null, receivedAt,
    );
  }
  return {
    sql: `insert into node_health (node_id, boot_id, seq, uptime_ms, firmware, free_heap_bytes, min_free_heap_bytes, rssi_dbm, reset_reason,
        outbox_depth, outbox_alarms, dropped_telemetry, dropped_events, dropped_alarms, sensors, sensor_fault, last_error, received_at)
      values ${placeholders(messages.length, 18)}
      on conflict (node_id, boot_id, seq) do nothing returning node_id, boot_id, seq`,
    args,
  };
}

export function hasSensorFault(message: HealthMessage): boolean {
  return Object.values(message.sensors).includes("fault");
}

/**
 * Copies each node's newest heartbeat of the batch onto its row, unless the row already holds a
 * newer one by (boot, seq): one statement for the batch, as a reconnecting fleet sends one
 * heartbeat per node at once. Only the newest per node is sent, which leaves the row as applying
 * them one by one would.
 */
export function latestHealthSql(messages: HealthMessage[], receivedAt: number): InStatement {
  const newest = new Map<string, HealthMessage>();
  for (const m of messages) {
    const seen = newest.get(m.node);
    if (!seen || m.boot > seen.boot || (m.boot === seen.boot && m.seq > seen.seq)) newest.set(m.node, m);
  }
  const args: InValue[] = [];
  for (const m of newest.values()) {
    args.push(
      m.node, m.kind, m.firmware, m.intervalMs, receivedAt, JSON.stringify(healthSummary(m)), m.boot, m.seq,
      hasSensorFault(m) ? 1 : 0, m.rssiDbm === undefined ? null : Math.round(m.rssiDbm), m.heap?.freeBytes ?? null, m.outbox.depth,
    );
  }
  return {
    sql: `update nodes set
        kind = v.kind, firmware = v.firmware, heartbeat_ms = v.heartbeat_ms, last_health_at = v.last_health_at, health = v.health,
        health_boot = v.boot, health_seq = v.seq, sensor_fault = v.sensor_fault, rssi_dbm = v.rssi_dbm, free_heap_bytes = v.free_heap_bytes,
        outbox_depth = v.outbox_depth
      from (select column1 as id, column2 as kind, column3 as firmware, column4 as heartbeat_ms, column5 as last_health_at, column6 as health,
              cast(column7 as integer) as boot, cast(column8 as integer) as seq, column9 as sensor_fault, column10 as rssi_dbm,
              column11 as free_heap_bytes, column12 as outbox_depth
            from (values ${placeholders(newest.size, 12)})) as v
      where nodes.id = v.id and (nodes.health_boot is null or nodes.health_boot < v.boot or (nodes.health_boot = v.boot and nodes.health_seq < v.seq))`,
    args,
  };
}

/** What the node list shows of the latest heartbeat. */
export function healthSummary(m: HealthMessage) {
  return {
    uptimeMs: m.t,
    heap: m.heap ?? null,
    rssiDbm: m.rssiDbm ?? null,
    resetReason: m.resetReason,
    sensors: m.sensors,
    outbox: m.outbox,
    dropped: m.dropped,
    lastError: m.lastError ?? null,
  };
}

export type HealthRow = typeof nodeHealth.$inferSelect;

/** One node's heartbeats, newest first: `since` (ms epoch) bounds the window, `before` (row id) pages. */
export async function healthHistory(db: Db, nodeId: string, query: { since?: number; before?: number; limit: number }): Promise<HealthRow[]> {
  const conditions = [eq(nodeHealth.nodeId, nodeId)];
  if (query.since !== undefined) conditions.push(gte(nodeHealth.receivedAt, query.since));
  if (query.before !== undefined) conditions.push(lt(nodeHealth.id, query.before));
  return db
    .select()
    .from(nodeHealth)
    .where(and(...conditions))
    .orderBy(desc(nodeHealth.receivedAt), desc(nodeHealth.id))
    .limit(query.limit);
}
