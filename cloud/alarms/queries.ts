import { and, desc, eq, lt } from "drizzle-orm";
import type { AlarmMessage } from "../../shared/messages";
import type { Db } from "../db/client";
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

/** Stores an alarm once: returns the new record, or null when (node, boot, seq) was already stored. */
export async function insertAlarm(db: Db, message: AlarmMessage, receivedAt: number): Promise<AlarmRecord | null> {
  const rows = await db
    .insert(alarms)
    .values({
      nodeId: message.node,
      bootId: message.boot,
      seq: message.seq,
      nodeTimeMs: message.t,
      kind: message.kind,
      severity: message.severity,
      state: message.state,
      value: message.value,
      unit: message.unit,
      threshold: message.threshold,
      evidence: message.evidence ? JSON.stringify(message.evidence) : null,
      receivedAt,
    })
    .onConflictDoNothing({ target: [alarms.nodeId, alarms.bootId, alarms.seq] })
    .returning();
  return rows.length ? toRecord(rows[0]) : null;
}

/** Inserts alarms once each by (node, boot, seq), in one statement; returns the rows it inserted. */
export function insertAlarmsStatement(db: Db, messages: AlarmMessage[], receivedAt: number) {
  return db
    .insert(alarms)
    .values(
      messages.map((message) => ({
        nodeId: message.node,
        bootId: message.boot,
        seq: message.seq,
        nodeTimeMs: message.t,
        kind: message.kind,
        severity: message.severity,
        state: message.state,
        value: message.value,
        unit: message.unit,
        threshold: message.threshold,
        evidence: message.evidence ? JSON.stringify(message.evidence) : null,
        receivedAt,
      })),
    )
    .onConflictDoNothing({ target: [alarms.nodeId, alarms.bootId, alarms.seq] })
    .returning();
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
