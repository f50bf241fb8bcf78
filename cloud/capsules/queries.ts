import { and, eq, like, type SQL } from "drizzle-orm";
import type { CapsuleState, EventMessage } from "../../shared/events";
import type { Db } from "../db/client";
import { capsules, nodes, places } from "../db/schema";
import { newerThanStored } from "../events/newer";

export interface CapsuleRecord {
  nodeId: string;
  placeId: string | null;
  placeName: string | null;
  online: boolean;
  capsuleDoor: string;
  aedCabinetDoor: string;
  aed: string;
  temperatureC: number | null;
  supplyV: number | null;
  display: string;
  lastEvent: string;
  lastEventAt: string;
  lastSeenAt: string;
}

export async function saveCapsuleState(db: Db, message: EventMessage, state: CapsuleState, receivedAt: number): Promise<void> {
  const values = {
    nodeId: message.node,
    capsuleDoor: state.capsuleDoor,
    aedCabinetDoor: state.aedCabinetDoor,
    aed: state.aed,
    temperatureC: state.temperatureC,
    supplyV: state.supplyV,
    display: state.display,
    lastEvent: message.event,
    lastEventAt: receivedAt,
    bootId: message.boot,
    seq: message.seq,
  };
  const { nodeId: _, ...set } = values;
  await db
    .insert(capsules)
    .values(values)
    .onConflictDoUpdate({ target: capsules.nodeId, set, setWhere: newerThanStored(capsules) });
}

export async function listCapsules(db: Db, filter: { placePath?: string; nodeId?: string } = {}): Promise<CapsuleRecord[]> {
  const conditions: SQL[] = [];
  if (filter.placePath !== undefined) conditions.push(like(places.path, `${filter.placePath}%`));
  if (filter.nodeId !== undefined) conditions.push(eq(capsules.nodeId, filter.nodeId));
  const rows = await db
    .select({ capsule: capsules, online: nodes.online, lastSeenAt: nodes.lastSeenAt, placeId: nodes.placeId, placeName: places.name })
    .from(capsules)
    .innerJoin(nodes, eq(nodes.id, capsules.nodeId))
    .leftJoin(places, eq(places.id, nodes.placeId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(capsules.nodeId)
    .limit(5000);
  return rows.map(({ capsule: c, online, lastSeenAt, placeId, placeName }) => ({
    nodeId: c.nodeId,
    placeId,
    placeName,
    online,
    capsuleDoor: c.capsuleDoor,
    aedCabinetDoor: c.aedCabinetDoor,
    aed: c.aed,
    temperatureC: c.temperatureC,
    supplyV: c.supplyV,
    display: c.display,
    lastEvent: c.lastEvent,
    lastEventAt: new Date(c.lastEventAt).toISOString(),
    lastSeenAt: new Date(lastSeenAt).toISOString(),
  }));
}
