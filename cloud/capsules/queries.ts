import type { InStatement } from "@libsql/client";
import { and, eq, like, type SQL } from "drizzle-orm";
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

export async function listCapsules(db: Db, filter: { placePath?: string; nodeId?: string; scope?: SQL } = {}): Promise<CapsuleRecord[]> {
  const conditions: SQL[] = [];
  if (filter.placePath !== undefined) conditions.push(like(places.path, `${filter.placePath}%`));
  if (filter.scope !== undefined) conditions.push(filter.scope);
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
