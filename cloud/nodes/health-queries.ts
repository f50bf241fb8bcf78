import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { HealthMessage } from "../../shared/messages";
import type { InStatement, InValue } from "@libsql/client";
import { placeholders, type Db } from "../db/client";
import { nodeHealth, nodes } from "../db/schema";

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

/** Copies a heartbeat onto the node's row, unless the row already holds a newer one by (boot, seq). */
export function latestHealthStatement(db: Db, message: HealthMessage, receivedAt: number) {
  return db
    .update(nodes)
    .set({
      kind: message.kind,
      firmware: message.firmware,
      heartbeatMs: message.intervalMs,
      lastHealthAt: receivedAt,
      health: JSON.stringify(healthSummary(message)),
      healthBoot: message.boot,
      healthSeq: message.seq,
      sensorFault: hasSensorFault(message),
      rssiDbm: message.rssiDbm === undefined ? null : Math.round(message.rssiDbm),
      freeHeapBytes: message.heap?.freeBytes ?? null,
      outboxDepth: message.outbox.depth,
    })
    .where(
      and(
        eq(nodes.id, message.node),
        sql`(${nodes.healthBoot} is null or ${nodes.healthBoot} < ${message.boot} or (${nodes.healthBoot} = ${message.boot} and ${nodes.healthSeq} < ${message.seq}))`,
      ),
    );
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
