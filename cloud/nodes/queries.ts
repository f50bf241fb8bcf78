import { BOOT_ERA_SPAN } from "../../shared/boot-era";
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { InStatement, InValue } from "@libsql/client";
import { placeholders, type Db } from "../db/client";
import { nodes } from "../db/schema";

/** A node heard from in one ingest batch: the latest of what its messages said. */
export interface BatchSighting {
  nodeId: string;
  bootId: number;
  at: number;
  /** Used only when the node is new: a first message that is a will says offline. */
  onlineIfNew: boolean;
  firmware?: string;
  readings?: Record<string, number>;
  /** The (boot, seq) of the telemetry message `readings` came from; not written, used to keep the newest (cloud/ingest/sighting-book.ts). */
  readingsFrom?: { boot: number; seq: number };
}

/**
 * One statement for a whole batch: creates nodes on first contact, moves `last_seen_at` forward,
 * keeps the newest readings and firmware. A node the liveness sweep marked offline for missed
 * heartbeats is online again once heard from; a node whose will said offline stays offline until
 * its next connection says otherwise ({@link applyStatusesSql}).
 */
export function upsertSightingsSql(sightings: BatchSighting[]): InStatement {
  const rows = sightings.map((s) => [s.nodeId, s.bootId, s.onlineIfNew ? 1 : 0, s.onlineIfNew ? null : "will", s.firmware ?? null, s.readings ? JSON.stringify(s.readings) : null, s.at]);
  return {
    // The batch's rows as one JSON array, unpacked by SQLite in their order (as telemetry's
    // insert): the statement's text is the same for every batch, where a VALUES list of up to
    // 1,000 rows × 9 placeholders was compiled again for each (the client keeps no prepared
    // statements) and each of its 9,000 values converted apart. `where true` lets SQLite tell
    // the upsert's ON CONFLICT from a join's ON.
    sql: `insert into nodes (id, boot_id, online, offline_reason, firmware, readings, first_seen_at, last_seen_at, status_since)
      select j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 6, j.value ->> 6 from json_each(?) j where true
      on conflict (id) do update set
        last_seen_at = max(nodes.last_seen_at, excluded.last_seen_at),
        boot_id = case when nodes.boot_id / ${BOOT_ERA_SPAN} <> excluded.boot_id / ${BOOT_ERA_SPAN} then excluded.boot_id else max(coalesce(nodes.boot_id, 0), excluded.boot_id) end,
        firmware = coalesce(excluded.firmware, nodes.firmware),
        readings = coalesce(excluded.readings, nodes.readings),
        status_since = case when nodes.offline_reason = 'missed-heartbeats' then excluded.status_since else nodes.status_since end,
        online = case when nodes.offline_reason = 'missed-heartbeats' then 1 else nodes.online end,
        offline_reason = case when nodes.offline_reason = 'missed-heartbeats' then null else nodes.offline_reason end`,
    args: [JSON.stringify(rows)],
  };
}

export interface NodeStatus {
  nodeId: string;
  bootId: number;
  seq: number;
  online: boolean;
  willSeq?: number;
  firmware: string;
}

/**
 * Status messages, each applied only if it speaks for the newest connection: an online status
 * for a connection later than the one on record, a will for that connection or a later one. So
 * a previous connection's will arriving late — possible when several cloud instances share the
 * stream — never marks a reconnected node offline, and a late "online" never revives a node
 * whose connection already died.
 *
 * One statement for the batch (10,000 nodes reconnecting send 10,000 of them; building one
 * statement each through the ORM was 15 % of bench:storm's cloud CPU, and each was prepared
 * apart), so each node may appear once: the caller gives a node's second status in a batch a
 * statement of its own, in order, as the rule depends on what the first one wrote.
 */
export function applyStatusesSql(statuses: NodeStatus[], at: number): InStatement {
  const args: InValue[] = [];
  for (const status of statuses) {
    const connection = status.online ? (status.willSeq ?? status.seq - 1) : status.seq;
    args.push(status.nodeId, status.online ? 1 : 0, status.firmware, status.bootId, connection, at);
  }
  // Another era (shared/boot-era.ts): the node lost its boot counter and started again. Its
  // "online" is the newest connection whatever the numbers; a will from another era is the old
  // era's last connection, gone before this one, and changes nothing. Cast to integers: a bound
  // JS number may arrive as a REAL, and then the division is not an integer one.
  const sameEra = `(nodes.status_boot / ${BOOT_ERA_SPAN}) = (v.boot / ${BOOT_ERA_SPAN})`;
  return {
    sql: `update nodes set
        online = v.online,
        firmware = v.firmware,
        offline_reason = case when v.online = 1 then null else 'will' end,
        status_boot = v.boot,
        status_will_seq = v.connection,
        status_since = case when nodes.online = v.online and nodes.status_since is not null then nodes.status_since else v.at end
      from (select column1 as id, cast(column2 as integer) as online, column3 as firmware, cast(column4 as integer) as boot,
              cast(column5 as integer) as connection, cast(column6 as integer) as at
            from (values ${placeholders(statuses.length, 6)})) as v
      where nodes.id = v.id and (
        (v.online = 1 and (nodes.status_boot is null or not ${sameEra} or nodes.status_boot < v.boot or (nodes.status_boot = v.boot and nodes.status_will_seq < v.connection)))
        or (v.online = 0 and (nodes.status_boot is null or (${sameEra} and (nodes.status_boot < v.boot or (nodes.status_boot = v.boot and nodes.status_will_seq <= v.connection))))))`,
    args,
  };
}

/** Most nodes one update marks offline (well under SQLite's bound variables). */
const SILENT_PER_UPDATE = 500;

/**
 * Marks online nodes offline when nothing was heard from them for `missedBeats` heartbeat periods.
 * Returns their ids. The fleet is scanned by a read, which takes no write lock; only the nodes it
 * finds are updated, each checked again in the update. A single UPDATE over the table held the
 * write lock for the whole scan every sweep, whether or not any node had gone silent: 10–110 ms
 * at 10,000 nodes (bench:storm), with the alarms' writes waiting behind it.
 */
export async function markSilentNodesOffline(db: Db, now: number, missedBeats: number): Promise<string[]> {
  const silent = and(eq(nodes.online, true), isNotNull(nodes.heartbeatMs), sql`${nodes.lastSeenAt} < ${now} - ${nodes.heartbeatMs} * ${missedBeats}`);
  const found = await db.select({ id: nodes.id }).from(nodes).where(silent);
  const marked: string[] = [];
  for (let i = 0; i < found.length; i += SILENT_PER_UPDATE) {
    const ids = found.slice(i, i + SILENT_PER_UPDATE).map((row) => row.id);
    const rows = await db
      .update(nodes)
      .set({ online: false, offlineReason: "missed-heartbeats", statusSince: now })
      .where(and(inArray(nodes.id, ids), silent))
      .returning({ id: nodes.id });
    marked.push(...rows.map((row) => row.id));
  }
  return marked;
}

/** Puts a node at a place, creating its row if it has not been heard from yet (it then counts as offline). */
export async function assignNodePlace(db: Db, nodeId: string, placeId: string, at: number): Promise<void> {
  await db
    .insert(nodes)
    .values({ id: nodeId, placeId, online: false, firstSeenAt: at, lastSeenAt: at, statusSince: at })
    .onConflictDoUpdate({ target: nodes.id, set: { placeId } });
}
