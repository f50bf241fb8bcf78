import { and, desc, eq, lt } from "drizzle-orm";
import type { EventMessage } from "../../shared/messages";
import type { Db } from "../db/client";
import { nodeEvents } from "../db/schema";

/** Inserts state events once each by (node, boot, seq); returns the keys it inserted. */
export function insertEventsStatement(db: Db, messages: EventMessage[], receivedAt: number) {
  return db
    .insert(nodeEvents)
    .values(
      messages.map((m) => ({
        nodeId: m.node,
        bootId: m.boot,
        seq: m.seq,
        nodeTimeMs: m.t,
        name: m.name,
        data: m.data ? JSON.stringify(m.data) : null,
        receivedAt,
      })),
    )
    .onConflictDoNothing({ target: [nodeEvents.nodeId, nodeEvents.bootId, nodeEvents.seq] })
    .returning({ nodeId: nodeEvents.nodeId, bootId: nodeEvents.bootId, seq: nodeEvents.seq });
}

export interface EventRecord {
  id: number;
  nodeId: string;
  bootId: number;
  seq: number;
  nodeTimeMs: number;
  name: string;
  data: Record<string, string | number | boolean> | null;
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
    receivedAt: new Date(row.receivedAt).toISOString(),
  }));
}
