import type { InStatement } from "@libsql/client";
import { and, asc, count, desc, eq, like, sql, type SQL } from "drizzle-orm";
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
  /** While held: when this hold began (its `hold-start` reached the cloud); null when released. */
  holdSince: string | null;
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

export interface ElevatorFilter {
  placePath?: string;
  nodeId?: string;
  scope?: SQL;
  /** `attention`: held now first, then detector lost, disabled, offline, then by id; else by id. */
  sort?: "id" | "attention";
  limit?: number;
  offset?: number;
}

/** What puts a lock at the top of the board: a car held now outranks a lost detector, which outranks a disabled lock, then an offline node. */
const attention = sql`(case when ${elevators.lock} = 'held' then 8 else 0 end) + (case when ${elevators.detector} = 'lost' then 4 else 0 end)
  + (case when ${elevators.enabled} = 0 then 2 else 0 end) + (case when ${nodes.online} = 0 then 1 else 0 end)`;

/** When the current hold began: the newest `hold-start` by (boot, seq), read through node_events_node_name. */
const holdSince = sql<number | null>`case when ${elevators.lock} = 'held' then (select x.received_at from node_events x
  where x.node_id = ${elevators.nodeId} and x.name = 'hold-start' order by x.boot_id desc, x.seq desc limit 1) end`;

function conditionsOf(filter: ElevatorFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.placePath !== undefined) conditions.push(like(places.path, `${filter.placePath}%`));
  if (filter.scope !== undefined) conditions.push(filter.scope);
  if (filter.nodeId !== undefined) conditions.push(eq(elevators.nodeId, filter.nodeId));
  return conditions.length ? and(...conditions) : undefined;
}

/** How many elevators the filter holds, over all pages. */
export async function countElevators(db: Db, filter: ElevatorFilter = {}): Promise<number> {
  const [{ total }] = await db
    .select({ total: count() })
    .from(elevators)
    .innerJoin(nodes, eq(nodes.id, elevators.nodeId))
    .leftJoin(places, eq(places.id, nodes.placeId))
    .where(conditionsOf(filter));
  return total;
}

/** Every elevator, or those inside the place whose path is `placePath`, a page at a time. */
export async function listElevators(db: Db, filter: ElevatorFilter = {}): Promise<ElevatorRecord[]> {
  const rows = await db
    .select({ elevator: elevators, online: nodes.online, lastSeenAt: nodes.lastSeenAt, placeId: nodes.placeId, placeName: places.name, holdSince })
    .from(elevators)
    .innerJoin(nodes, eq(nodes.id, elevators.nodeId))
    .leftJoin(places, eq(places.id, nodes.placeId))
    .where(conditionsOf(filter))
    .orderBy(...(filter.sort === "attention" ? [desc(attention), asc(elevators.nodeId)] : [asc(elevators.nodeId)]))
    .limit(filter.limit ?? 5000)
    .offset(filter.offset ?? 0);
  return rows.map(({ elevator: e, online, lastSeenAt, placeId, placeName, holdSince: since }) => ({
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
    holdSince: since === null ? null : new Date(Number(since)).toISOString(),
    lastReleasedBy: e.lastReleasedBy,
    lastHoldMs: e.lastHoldMs,
    lastCounts: e.lastCounts ? (JSON.parse(e.lastCounts) as Record<string, number>) : null,
    lastSeenAt: new Date(lastSeenAt).toISOString(),
  }));
}
