import { and, desc, eq, lt } from "drizzle-orm";
import type { EventMessage } from "../../shared/events";
import { saveCapsuleState } from "../capsules/queries";
import type { Db } from "../db/client";
import { nodeEvents } from "../db/schema";
import { saveElevatorState } from "../elevators/queries";

export interface NodeEventRecord {
  id: number;
  nodeId: string;
  bootId: number;
  seq: number;
  nodeTimeMs: number;
  event: string;
  releasedBy: string | null;
  durationMs: number | null;
  cause: string | null;
  value: number | null;
  unit: string | null;
  counts: Record<string, number> | null;
  state: Record<string, unknown>;
  receivedAt: string;
}

/**
 * Stores a state event and brings its device's current state up to date. The current state is
 * written first and only by a newer (boot, seq), so a crash between the two writes, or the same
 * event delivered twice, leaves both right. Returns false for an event already stored.
 */
export async function storeNodeEvent(db: Db, message: EventMessage, receivedAt: number): Promise<boolean> {
  if (message.state.kind === "elevator") await saveElevatorState(db, message, message.state, receivedAt);
  else await saveCapsuleState(db, message, message.state, receivedAt);
  const rows = await db
    .insert(nodeEvents)
    .values({
      nodeId: message.node,
      bootId: message.boot,
      seq: message.seq,
      nodeTimeMs: message.t,
      deviceKind: message.state.kind,
      event: message.event,
      releasedBy: message.releasedBy ?? null,
      durationMs: message.durationMs ?? null,
      cause: message.cause ?? null,
      value: message.value ?? null,
      unit: message.unit ?? null,
      counts: message.counts ? JSON.stringify(message.counts) : null,
      state: JSON.stringify(message.state),
      receivedAt,
    })
    .onConflictDoNothing({ target: [nodeEvents.nodeId, nodeEvents.bootId, nodeEvents.seq] })
    .returning({ id: nodeEvents.id });
  return rows.length > 0;
}

/** Newest first, paged by id. */
export async function listNodeEvents(db: Db, query: { nodeId: string; before?: number; limit: number }): Promise<NodeEventRecord[]> {
  const conditions = [eq(nodeEvents.nodeId, query.nodeId)];
  if (query.before !== undefined) conditions.push(lt(nodeEvents.id, query.before));
  const rows = await db
    .select()
    .from(nodeEvents)
    .where(and(...conditions))
    .orderBy(desc(nodeEvents.id))
    .limit(query.limit);
  return rows.map((row) => ({
    id: row.id,
    nodeId: row.nodeId,
    bootId: row.bootId,
    seq: row.seq,
    nodeTimeMs: row.nodeTimeMs,
    event: row.event,
    releasedBy: row.releasedBy,
    durationMs: row.durationMs,
    cause: row.cause,
    value: row.value,
    unit: row.unit,
    counts: row.counts ? (JSON.parse(row.counts) as Record<string, number>) : null,
    state: JSON.parse(row.state) as Record<string, unknown>,
    receivedAt: new Date(row.receivedAt).toISOString(),
  }));
}
