import { and, eq, like, type SQL } from "drizzle-orm";
import type { ElevatorState, EventMessage } from "../../shared/events";
import type { Db } from "../db/client";
import { elevators, nodes, places } from "../db/schema";
import { newerThanStored } from "../events/newer";

export interface ElevatorRecord {
  nodeId: string;
  placeId: string | null;
  placeName: string | null;
  online: boolean;
  lock: string;
  enabled: boolean;
  detector: string;
  override: boolean;
  ebike: boolean;
  lastEvent: string;
  lastEventAt: string;
  lastReleasedBy: string | null;
  lastHoldMs: number | null;
  lastCounts: Record<string, number> | null;
  lastSeenAt: string;
}

export async function saveElevatorState(db: Db, message: EventMessage, state: ElevatorState, receivedAt: number): Promise<void> {
  const values = {
    nodeId: message.node,
    lock: state.lock,
    enabled: state.enabled,
    detector: state.detector,
    override: state.override,
    ebike: state.ebike,
    lastEvent: message.event,
    lastEventAt: receivedAt,
    lastReleasedBy: message.releasedBy ?? null,
    lastHoldMs: message.durationMs ?? null,
    lastCounts: message.counts ? JSON.stringify(message.counts) : null,
    bootId: message.boot,
    seq: message.seq,
  };
  const { nodeId: _, lastReleasedBy, lastHoldMs, lastCounts, ...always } = values;
  const set: Partial<typeof values> = { ...always };
  // Fields only some events carry are kept from earlier events otherwise.
  if (message.event === "hold-end") Object.assign(set, { lastReleasedBy, lastHoldMs });
  if (message.event === "daily-counts") set.lastCounts = lastCounts;
  await db
    .insert(elevators)
    .values(values)
    .onConflictDoUpdate({ target: elevators.nodeId, set, setWhere: newerThanStored(elevators) });
}

/** Every elevator, or those inside the place whose path is `placePath`. */
export async function listElevators(db: Db, filter: { placePath?: string; nodeId?: string } = {}): Promise<ElevatorRecord[]> {
  const conditions: SQL[] = [];
  if (filter.placePath !== undefined) conditions.push(like(places.path, `${filter.placePath}%`));
  if (filter.nodeId !== undefined) conditions.push(eq(elevators.nodeId, filter.nodeId));
  const rows = await db
    .select({ elevator: elevators, online: nodes.online, lastSeenAt: nodes.lastSeenAt, placeId: nodes.placeId, placeName: places.name })
    .from(elevators)
    .innerJoin(nodes, eq(nodes.id, elevators.nodeId))
    .leftJoin(places, eq(places.id, nodes.placeId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(elevators.nodeId)
    .limit(5000);
  return rows.map(({ elevator: e, online, lastSeenAt, placeId, placeName }) => ({
    nodeId: e.nodeId,
    placeId,
    placeName,
    online,
    lock: e.lock,
    enabled: e.enabled,
    detector: e.detector,
    override: e.override,
    ebike: e.ebike,
    lastEvent: e.lastEvent,
    lastEventAt: new Date(e.lastEventAt).toISOString(),
    lastReleasedBy: e.lastReleasedBy,
    lastHoldMs: e.lastHoldMs,
    lastCounts: e.lastCounts ? (JSON.parse(e.lastCounts) as Record<string, number>) : null,
    lastSeenAt: new Date(lastSeenAt).toISOString(),
  }));
}
