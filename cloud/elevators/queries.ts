import type { InStatement } from "@libsql/client";
import { and, eq, like, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { elevators, nodes, places } from "../db/schema";
import { batchNodesSql, newerThanStoredSql, newestEventOrderSql } from "../events/newer";

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

/**
 * Brings the listed elevators' current state up to date from their stored events, as one statement
 * in the ingest's batch transaction (after the batch's events are inserted): the lock state is
 * the newest elevator event's snapshot by (boot, seq), how the last hold ended comes from the
 * newest `hold-end`, the counts from the newest `daily-counts`. The row changes only when its
 * newest event is newer than the one it was derived from, so a late or replayed event never
 * rolls it back.
 */
export function deriveElevatorStatesSql(nodeIds: string[]): InStatement {
  const newest = (filter: string) =>
    `(select x.id from node_events x where x.node_id = b.node_id and ${filter} order by ${newestEventOrderSql()} limit 1)`;
  return {
    sql: `${batchNodesSql(nodeIds.length)}
      insert into elevators (node_id, lock, enabled, detector, override, ebike, last_event, last_event_at, last_released_by, last_hold_ms, last_counts, boot_id, seq)
      select e.node_id, json_extract(e.state, '$.lock'), json_extract(e.state, '$.enabled'), json_extract(e.state, '$.detector'),
        json_extract(e.state, '$.override'), json_extract(e.state, '$.ebike'), e.name, e.received_at,
        h.released_by, h.duration_ms, c.data, e.boot_id, e.seq
      from batch b
      join node_events e on e.id = ${newest(`json_extract(x.state, '$.kind') = 'elevator'`)}
      left join node_events h on h.id = ${newest(`x.name = 'hold-end' and json_extract(x.state, '$.kind') = 'elevator'`)}
      left join node_events c on c.id = ${newest(`x.name = 'daily-counts' and json_extract(x.state, '$.kind') = 'elevator'`)}
      where true
      on conflict (node_id) do update set lock = excluded.lock, enabled = excluded.enabled, detector = excluded.detector,
        override = excluded.override, ebike = excluded.ebike, last_event = excluded.last_event, last_event_at = excluded.last_event_at,
        last_released_by = excluded.last_released_by, last_hold_ms = excluded.last_hold_ms, last_counts = excluded.last_counts,
        boot_id = excluded.boot_id, seq = excluded.seq
      where ${newerThanStoredSql("elevators")}`,
    args: nodeIds,
  };
}

/** Every elevator, or those inside the place whose path is `placePath`. */
export async function listElevators(db: Db, filter: { placePath?: string; nodeId?: string; scope?: SQL } = {}): Promise<ElevatorRecord[]> {
  const conditions: SQL[] = [];
  if (filter.placePath !== undefined) conditions.push(like(places.path, `${filter.placePath}%`));
  if (filter.scope !== undefined) conditions.push(filter.scope);
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
