import { and, asc, desc, eq, like, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { nodes, places } from "../db/schema";

export interface NodeFilter {
  /** Nodes installed in this place or anywhere inside it. */
  placeId?: string;
  kind?: string;
  status?: "online" | "offline";
  firmware?: string;
  /** true: only nodes whose latest heartbeat reports a faulty sensor; false: only those without. */
  sensorFault?: boolean;
  limit: number;
}

export interface NodeRecord {
  id: string;
  kind: string | null;
  online: boolean;
  /** `will` or `missed-heartbeats` while offline. */
  offlineReason: string | null;
  firmware: string | null;
  bootId: number | null;
  place: { id: string; name: string; path: string } | null;
  sensorFault: boolean;
  heartbeatMs: number | null;
  health: Record<string, unknown> | null;
  readings: Record<string, number> | null;
  firstSeenAt: string;
  lastSeenAt: string;
  lastHealthAt: string | null;
}

const selection = {
  node: nodes,
  placeId: places.id,
  placeName: places.name,
  placePath: places.path,
};

type Row = { node: typeof nodes.$inferSelect; placeId: string | null; placeName: string | null; placePath: string | null };

function toRecord(row: Row): NodeRecord {
  const n = row.node;
  return {
    id: n.id,
    kind: n.kind,
    online: n.online,
    offlineReason: n.offlineReason,
    firmware: n.firmware,
    bootId: n.bootId,
    place: row.placeId ? { id: row.placeId, name: row.placeName!, path: row.placePath! } : null,
    sensorFault: n.sensorFault,
    heartbeatMs: n.heartbeatMs,
    health: n.health ? (JSON.parse(n.health) as Record<string, unknown>) : null,
    readings: n.readings ? (JSON.parse(n.readings) as Record<string, number>) : null,
    firstSeenAt: new Date(n.firstSeenAt).toISOString(),
    lastSeenAt: new Date(n.lastSeenAt).toISOString(),
    lastHealthAt: n.lastHealthAt === null ? null : new Date(n.lastHealthAt).toISOString(),
  };
}

/**
 * Nodes for maintenance crews, filtered by place (its whole subtree, through the places' path
 * prefix), kind, status, firmware and sensor fault; offline and faulty first, then by id.
 * Returns null when the place does not exist.
 */
export async function listNodes(db: Db, filter: NodeFilter): Promise<NodeRecord[] | null> {
  const conditions: SQL[] = [];
  if (filter.placeId !== undefined) {
    const [place] = await db.select({ path: places.path }).from(places).where(eq(places.id, filter.placeId));
    if (!place) return null;
    // Place ids are a–z, 0–9 and '-', so the path holds no LIKE wildcard.
    conditions.push(like(places.path, `${place.path}%`));
  }
  if (filter.kind !== undefined) conditions.push(eq(nodes.kind, filter.kind));
  if (filter.status !== undefined) conditions.push(eq(nodes.online, filter.status === "online"));
  if (filter.firmware !== undefined) conditions.push(eq(nodes.firmware, filter.firmware));
  if (filter.sensorFault !== undefined) conditions.push(eq(nodes.sensorFault, filter.sensorFault));
  const rows = await db
    .select(selection)
    .from(nodes)
    .leftJoin(places, eq(nodes.placeId, places.id))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(nodes.online), desc(nodes.sensorFault), asc(nodes.id))
    .limit(filter.limit);
  return rows.map(toRecord);
}

export async function getNode(db: Db, nodeId: string): Promise<NodeRecord | null> {
  const [row] = await db.select(selection).from(nodes).leftJoin(places, eq(nodes.placeId, places.id)).where(eq(nodes.id, nodeId));
  return row ? toRecord(row) : null;
}
