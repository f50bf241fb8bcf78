import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { HealthMessage } from "../../shared/messages";
import type { Db } from "../db/client";
import { nodeHealth, nodes } from "../db/schema";

/** Inserts heartbeats once each by (node, boot, seq); returns the keys it inserted. */
export function insertHealthStatement(db: Db, messages: HealthMessage[], receivedAt: number) {
  return db
    .insert(nodeHealth)
    .values(
      messages.map((m) => ({
        nodeId: m.node,
        bootId: m.boot,
        seq: m.seq,
        uptimeMs: m.t,
        firmware: m.firmware,
        freeHeapBytes: m.heap?.freeBytes ?? null,
        minFreeHeapBytes: m.heap?.minFreeBytes ?? null,
        rssiDbm: m.rssiDbm === undefined ? null : Math.round(m.rssiDbm),
        resetReason: m.resetReason,
        outboxDepth: m.outbox.depth,
        outboxAlarms: m.outbox.alarms,
        droppedTelemetry: m.dropped.telemetry,
        droppedEvents: m.dropped.event,
        droppedAlarms: m.dropped.alarm,
        sensors: JSON.stringify(m.sensors),
        sensorFault: hasSensorFault(m),
        lastError: m.lastError ?? null,
        receivedAt,
      })),
    )
    .onConflictDoNothing({ target: [nodeHealth.nodeId, nodeHealth.bootId, nodeHealth.seq] })
    .returning({ nodeId: nodeHealth.nodeId, bootId: nodeHealth.bootId, seq: nodeHealth.seq });
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
