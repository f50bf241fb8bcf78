import type { InStatement } from "@libsql/client";
import { and, eq, like, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { capsules, nodes, places } from "../db/schema";
import { batchNodesSql, newerThanStoredSql, newestEventOrderSql } from "../events/newer";

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
  /** The range the node keeps the AED within (its own setting), when its firmware reports it. */
  aedRangeC: { minC: number; maxC: number } | null;
  /** When the AED was last taken out or put back (null: no such event recorded). */
  aedChangedAt: string | null;
  /** When the capsule door last opened or closed. */
  capsuleDoorChangedAt: string | null;
  /** The node's own judgement, with its hysteresis: its newest temperature event was out-of-range. */
  temperatureAlarm: boolean;
  /** Its newest battery event was battery-low. */
  batteryLow: boolean;
  lastEvent: string;
  lastEventAt: string;
  lastSeenAt: string;
}

/**
 * Brings the listed capsules' current state up to date from their stored events, in the ingest's
 * batch transaction: the newest capsule event's snapshot by (boot, seq), written only when newer
 * than the one the row holds.
 */
export function deriveCapsuleStatesSql(nodeIds: string[]): InStatement {
  return {
    sql: `${batchNodesSql(nodeIds.length)}
      insert into capsules (node_id, capsule_door, aed_cabinet_door, aed, temperature_c, supply_v, display, last_event, last_event_at, boot_id, seq)
      select e.node_id, json_extract(e.state, '$.capsuleDoor'), json_extract(e.state, '$.aedCabinetDoor'), json_extract(e.state, '$.aed'),
        json_extract(e.state, '$.temperatureC'), json_extract(e.state, '$.supplyV'), json_extract(e.state, '$.display'),
        e.name, e.received_at, e.boot_id, e.seq
      from batch b
      join node_events e on e.id = (select x.id from node_events x where x.node_id = b.node_id and json_extract(x.state, '$.kind') = 'capsule'
        order by ${newestEventOrderSql()} limit 1)
      where true
      on conflict (node_id) do update set capsule_door = excluded.capsule_door, aed_cabinet_door = excluded.aed_cabinet_door,
        aed = excluded.aed, temperature_c = excluded.temperature_c, supply_v = excluded.supply_v, display = excluded.display,
        last_event = excluded.last_event, last_event_at = excluded.last_event_at, boot_id = excluded.boot_id, seq = excluded.seq
      where ${newerThanStoredSql("capsules")}`,
    args: nodeIds,
  };
}

/**
 * The newest of the node's events named `names` (by boot era, boot and seq, as the state itself),
 * read through the (node, name, boot, seq) index: one row per capsule listed, not a scan.
 */
function newestOf(names: readonly string[], column: "name" | "received_at"): SQL {
  const list = sql.join(names.map((name) => sql`${name}`), sql`, `);
  return sql`(select x.${sql.raw(column)} from node_events x where x.node_id = ${capsules.nodeId} and x.name in (${list}) order by ${sql.raw(newestEventOrderSql())} limit 1)`;
}

export async function listCapsules(db: Db, filter: { placePath?: string; nodeId?: string; scope?: SQL } = {}): Promise<CapsuleRecord[]> {
  const conditions: SQL[] = [];
  if (filter.placePath !== undefined) conditions.push(like(places.path, `${filter.placePath}%`));
  if (filter.scope !== undefined) conditions.push(filter.scope);
  if (filter.nodeId !== undefined) conditions.push(eq(capsules.nodeId, filter.nodeId));
  const rows = await db
    .select({
      capsule: capsules,
      online: nodes.online,
      lastSeenAt: nodes.lastSeenAt,
      placeId: nodes.placeId,
      placeName: places.name,
      // The range rides in the snapshot the row was derived from.
      aedRange: sql<string | null>`(select json_extract(e.state, '$.aedRangeC') from node_events e where e.node_id = ${capsules.nodeId} and e.boot_id = ${capsules.bootId} and e.seq = ${capsules.seq})`,
      aedChangedAt: sql<number | null>`${newestOf(["aed-removed", "aed-returned"], "received_at")}`,
      capsuleDoorChangedAt: sql<number | null>`${newestOf(["capsule-opened", "capsule-closed"], "received_at")}`,
      temperatureEvent: sql<string | null>`${newestOf(["temperature-out-of-range", "temperature-normal"], "name")}`,
      batteryEvent: sql<string | null>`${newestOf(["battery-low", "battery-ok"], "name")}`,
    })
    .from(capsules)
    .innerJoin(nodes, eq(nodes.id, capsules.nodeId))
    .leftJoin(places, eq(places.id, nodes.placeId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(capsules.nodeId)
    .limit(5000);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return rows.map(({ capsule: c, online, lastSeenAt, placeId, placeName, aedRange, aedChangedAt, capsuleDoorChangedAt, temperatureEvent, batteryEvent }) => ({
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
    aedRangeC: parseRange(aedRange),
    aedChangedAt: iso(aedChangedAt),
    capsuleDoorChangedAt: iso(capsuleDoorChangedAt),
    temperatureAlarm: temperatureEvent === "temperature-out-of-range",
    batteryLow: batteryEvent === "battery-low",
    lastEvent: c.lastEvent,
    lastEventAt: new Date(c.lastEventAt).toISOString(),
    lastSeenAt: new Date(lastSeenAt).toISOString(),
  }));
}

/** The stored range, checked again: the ingest validated it, but a row is not a promise. */
function parseRange(json: string | null): { minC: number; maxC: number } | null {
  if (json === null) return null;
  try {
    const range = JSON.parse(json) as { minC?: unknown; maxC?: unknown };
    return typeof range.minC === "number" && typeof range.maxC === "number" ? { minC: range.minC, maxC: range.maxC } : null;
  } catch {
    return null;
  }
}
