import { and, desc, eq, gt, inArray, lt, sql } from "drizzle-orm";
import type { AlarmMessage } from "../../shared/messages";
import type { InStatement, InValue } from "@libsql/client";
import { placeholders, type Db } from "../db/client";
import { alarms } from "../db/schema";
import type { AlarmRecord } from "./alarm-record";

type AlarmRow = typeof alarms.$inferSelect;

export function toRecord(row: AlarmRow): AlarmRecord {
  return {
    id: row.id,
    nodeId: row.nodeId,
    bootId: row.bootId,
    seq: row.seq,
    nodeTimeMs: row.nodeTimeMs,
    kind: row.kind,
    severity: row.severity,
    state: row.state,
    value: row.value,
    unit: row.unit,
    threshold: row.threshold,
    evidence: row.evidence ? (JSON.parse(row.evidence) as number[]) : null,
    receivedAt: new Date(row.receivedAt).toISOString(),
  };
}

/**
 * Inserts alarms once each by (node, boot, seq), in one statement, each marked as work for the
 * incident desk; returns the rows it inserted ({@link recordFromRow}).
 */
export function insertAlarmsSql(messages: AlarmMessage[], receivedAt: number): InStatement {
  const args: InValue[] = [];
  for (const m of messages) {
    args.push(m.node, m.boot, m.seq, m.t, m.kind, m.severity, m.state, m.value, m.unit, m.threshold, m.evidence ? JSON.stringify(m.evidence) : null, receivedAt, 1);
  }
  // incident_pending = 1: the desk's work is committed with the alarm, so no crash can lose it.
  return {
    sql: `insert into alarms (node_id, boot_id, seq, node_time_ms, kind, severity, state, value, unit, threshold, evidence, received_at, incident_pending)
      values ${placeholders(messages.length, 13)}
      on conflict (node_id, boot_id, seq) do nothing
      returning id, node_id, boot_id, seq, node_time_ms, kind, severity, state, value, unit, threshold, evidence, received_at`,
    args,
  };
}

/** Alarms stored but not yet handled by the incident desk, oldest first. */
export async function pendingIncidentAlarms(db: Db, limit: number, afterId = 0): Promise<AlarmRecord[]> {
  const rows = await db
    .select()
    .from(alarms)
    // A literal 1, so SQLite can use the partial index alarms_incident_pending.
    .where(and(sql`${alarms.incidentPending} = 1`, gt(alarms.id, afterId)))
    .orderBy(alarms.id)
    .limit(limit);
  return rows.map(toRecord);
}

/** The desk has handled these alarms: their incident exists and its notifications are handed on. */
export async function clearIncidentPending(db: Db, ids: readonly number[]): Promise<void> {
  // Chunks below SQLite's bound-variable limit.
  for (let i = 0; i < ids.length; i += 500) {
    await db.update(alarms).set({ incidentPending: false }).where(inArray(alarms.id, ids.slice(i, i + 500)));
  }
}

/** A row returned by {@link insertAlarmsSql}, as the API shows it. */
export function recordFromRow(row: Record<string, unknown>): AlarmRecord {
  return toRecord({
    id: Number(row.id),
    nodeId: String(row.node_id),
    bootId: Number(row.boot_id),
    seq: Number(row.seq),
    nodeTimeMs: Number(row.node_time_ms),
    kind: String(row.kind),
    severity: String(row.severity),
    state: String(row.state),
    value: Number(row.value),
    unit: String(row.unit),
    threshold: Number(row.threshold),
    evidence: row.evidence === null ? null : String(row.evidence),
    receivedAt: Number(row.received_at),
    incidentPending: true,
  });
}

export interface AlarmQuery {
  nodeId?: string;
  /** Only alarms with an id below this one: the page after a previous page's last id. */
  before?: number;
  limit: number;
}

/** Newest first. */
export async function listAlarms(db: Db, query: AlarmQuery): Promise<AlarmRecord[]> {
  const conditions = [];
  if (query.nodeId) conditions.push(eq(alarms.nodeId, query.nodeId));
  if (query.before !== undefined) conditions.push(lt(alarms.id, query.before));
  const rows = await db
    .select()
    .from(alarms)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(alarms.id))
    .limit(query.limit);
  return rows.map(toRecord);
}
