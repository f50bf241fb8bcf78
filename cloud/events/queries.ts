import { and, desc, eq, lt } from "drizzle-orm";
import type { DeviceState } from "../../shared/events";
import type { EventMessage } from "../../shared/messages";
import type { InStatement, InValue } from "@libsql/client";
import { placeholders, type Db } from "../db/client";
import { nodeEvents } from "../db/schema";

/** Inserts state events once each by (node, boot, seq), in one statement; returns the keys it inserted. */
export function insertEventsSql(messages: EventMessage[], receivedAt: number): InStatement {
  const args: InValue[] = [];
  for (const m of messages) {
    args.push(
      m.node,
      m.boot,
      m.seq,
      m.t,
      m.name,
      m.data ? JSON.stringify(m.data) : null,
      m.state ? JSON.stringify(m.state) : null,
      m.durationMs ?? null,
      m.releasedBy ?? null,
      m.cause ?? null,
      receivedAt,
    );
  }
  return {
    sql: `insert into node_events (node_id, boot_id, seq, node_time_ms, name, data, state, duration_ms, released_by, cause, received_at)
      values ${placeholders(messages.length, 11)}
      on conflict (node_id, boot_id, seq) do nothing returning node_id, boot_id, seq`,
    args,
  };
}

export interface EventRecord {
  id: number;
  nodeId: string;
  bootId: number;
  seq: number;
  nodeTimeMs: number;
  name: string;
  data: Record<string, string | number | boolean> | null;
  /** An elevator's or capsule's state after the event; null for the link's own events. */
  state: DeviceState | null;
  durationMs: number | null;
  releasedBy: string | null;
  cause: string | null;
  receivedAt: string;
}

/** A node's events, newest first, paged by id. */
export async function listEvents(db: Db, nodeId: string, query: { before?: number; limit: number }): Promise<EventRecord[]> {
  const conditions = [eq(nodeEvents.nodeId, nodeId)];
  if (query.before !== undefined) conditions.push(lt(nodeEvents.id, query.before));
  const rows = await db.select().from(nodeEvents).where(and(...conditions)).orderBy(desc(nodeEvents.id)).limit(query.limit);
  return rows.map((row) => ({
    id: row.id,
    nodeId: row.nodeId,
    bootId: row.bootId,
    seq: row.seq,
    nodeTimeMs: row.nodeTimeMs,
    name: row.name,
    data: row.data ? (JSON.parse(row.data) as EventRecord["data"]) : null,
    state: row.state ? (JSON.parse(row.state) as DeviceState) : null,
    durationMs: row.durationMs,
    releasedBy: row.releasedBy,
    cause: row.cause,
    receivedAt: new Date(row.receivedAt).toISOString(),
  }));
}
