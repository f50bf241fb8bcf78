import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, like, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { insertPrepared } from "../db/prepared-insert";
import { deliveries, incidentEvents, incidents, nodes, places, type Hazard, type IncidentStatus } from "../db/schema";
import type { IncidentRow } from "./view";

export const OPEN_STATUSES: readonly IncidentStatus[] = ["open", "acknowledged", "dispatched"];

export type NewIncident = typeof incidents.$inferInsert;

/** Where a node is installed: its place and that place's path, or nulls before it is placed. */
/** Where each node is mounted (its place and that place's path), read in one query; a node not registered reads as nowhere. */
export async function nodeLocations(db: Db, nodeIds: readonly string[]): Promise<Map<string, { placeId: string | null; path: string | null }>> {
  const found = new Map<string, { placeId: string | null; path: string | null }>();
  // SQLite's default limit on host parameters is 32,766; a desk batch is far below it, but a resumed backlog may not be.
  for (let at = 0; at < nodeIds.length; at += 5000) {
    const rows = await db
      .select({ id: nodes.id, placeId: nodes.placeId, path: places.path })
      .from(nodes)
      .leftJoin(places, eq(places.id, nodes.placeId))
      .where(inArray(nodes.id, nodeIds.slice(at, at + 5000)));
    for (const row of rows) found.set(row.id, { placeId: row.placeId, path: row.path });
  }
  for (const id of nodeIds) if (!found.has(id)) found.set(id, { placeId: null, path: null });
  return found;
}

/**
 * The desk's most frequent reads, built once per database by the ORM (prepared queries) instead
 * of for every call: building a select of the incident's 25 columns was the ORM's largest share
 * of an incident's cost (`npm run bench:desk`, a CPU profile: drizzle's `is()` alone 8 %).
 */
const preparedFor = new WeakMap<Db, ReturnType<typeof prepare>>();
function prepare(db: Db) {
  return {
    byId: db.select().from(incidents).where(eq(incidents.id, sql.placeholder("id"))).prepare(),
    byOpenKey: db.select().from(incidents).where(eq(incidents.openKey, sql.placeholder("openKey"))).prepare(),
    // findReopenable, by place, or by node for a node with no place.
    reopenableAt: db
      .select()
      .from(incidents)
      .where(and(eq(incidents.placeId, sql.placeholder("placeId")), eq(incidents.hazard, sql.placeholder("hazard")), eq(incidents.status, "resolved"), isNull(incidents.recheckedAt)))
      .orderBy(desc(incidents.id))
      .limit(1)
      .prepare(),
    reopenableOf: db
      .select()
      .from(incidents)
      .where(and(isNull(incidents.placeId), eq(incidents.nodeId, sql.placeholder("nodeId")), eq(incidents.hazard, sql.placeholder("hazard")), eq(incidents.status, "resolved"), isNull(incidents.recheckedAt)))
      .orderBy(desc(incidents.id))
      .limit(1)
      .prepare(),
  };
}
function prepared(db: Db): ReturnType<typeof prepare> {
  let queries = preparedFor.get(db);
  if (!queries) preparedFor.set(db, (queries = prepare(db)));
  return queries;
}

export async function getIncident(db: Db, id: number): Promise<IncidentRow | undefined> {
  return prepared(db).byId.get({ id });
}

export async function findOpenIncident(db: Db, openKey: string): Promise<IncidentRow | undefined> {
  return prepared(db).byOpenKey.get({ openKey });
}

/** The latest incident for a (place, hazard) that was resolved and has not been re-checked yet. */
export async function findReopenable(db: Db, where: { placeId: string | null; nodeId: string | null; hazard: Hazard }): Promise<IncidentRow | undefined> {
  const queries = prepared(db);
  return where.placeId !== null
    ? queries.reopenableAt.get({ placeId: where.placeId, hazard: where.hazard })
    : queries.reopenableOf.get({ nodeId: where.nodeId ?? "", hazard: where.hazard });
}

/** Inserts a new incident unless one is already open for the same key; returns it, or null then. */
export async function insertIncident(db: Db, incident: NewIncident): Promise<IncidentRow | null> {
  const rows = await insertPrepared<IncidentRow>(db, incidents, [incident], { conflict: "nothing", returning: true });
  return rows[0] ?? null;
}

/**
 * Changes an incident only if it still matches `guard` (its status, step or timer), so two
 * instances or a timer racing a person's click cannot both win. Returns the new row or null.
 */
export async function updateIncidentIf(db: Db, id: number, guard: SQL | undefined, changes: Partial<NewIncident> | Record<string, unknown>): Promise<IncidentRow | null> {
  const rows = await db
    .update(incidents)
    .set(changes as Partial<NewIncident>)
    .where(guard ? and(eq(incidents.id, id), guard) : eq(incidents.id, id))
    .returning();
  return rows[0] ?? null;
}

/** Folds `count` more triggers into an open incident; null if it is no longer open under that key. */
export async function foldTriggers(db: Db, id: number, openKey: string, count: number, severity: string, at: number, summary: string): Promise<IncidentRow | null> {
  const rows = await db
    .update(incidents)
    .set({
      triggerCount: sql`${incidents.triggerCount} + ${count}`,
      lastTriggerAt: at,
      summary,
      severity,
      sourceClearedAt: null,
      autoResolveAt: null,
      updatedAt: at,
    })
    .where(and(eq(incidents.id, id), eq(incidents.openKey, openKey)))
    .returning();
  return rows[0] ?? null;
}

export interface IncidentEventInput {
  incidentId: number;
  at: number;
  type: string;
  actor: string;
  detail?: unknown;
}

/** Records steps in one statement, in the order given (ids ascend with it). */
export async function recordEvent(db: Db, ...events: IncidentEventInput[]): Promise<void> {
  if (!events.length) return;
  await insertPrepared(db, incidentEvents, events.map((event) => ({ ...event, detail: event.detail === undefined ? null : JSON.stringify(event.detail) })));
}

/**
 * Whether an incident's first round of notifications was handed on: a delivery row exists or the
 * round was recorded (a round that reached nobody leaves only its event). False after a crash
 * between opening the incident and notifying.
 */
export async function firstRoundHandedOn(db: Db, incidentId: number): Promise<boolean> {
  const [delivery] = await db.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.incidentId, incidentId)).limit(1);
  if (delivery) return true;
  const [notified] = await db
    .select({ id: incidentEvents.id })
    .from(incidentEvents)
    .where(and(eq(incidentEvents.incidentId, incidentId), eq(incidentEvents.type, "notified")))
    .limit(1);
  return notified !== undefined;
}

export async function listEvents(db: Db, incidentId: number) {
  const rows = await db.select().from(incidentEvents).where(eq(incidentEvents.incidentId, incidentId)).orderBy(asc(incidentEvents.at), asc(incidentEvents.id));
  return rows.map((r) => ({ at: new Date(r.at).toISOString(), type: r.type, actor: r.actor, detail: r.detail ? (JSON.parse(r.detail) as unknown) : null }));
}

export interface IncidentQuery {
  /** Only incidents at places under one of these paths; undefined for everything (admin). */
  scopePaths?: string[];
  status?: IncidentStatus[];
  before?: number;
  limit: number;
}

export async function listIncidents(db: Db, query: IncidentQuery): Promise<IncidentRow[]> {
  const conditions: SQL[] = [];
  if (query.scopePaths) {
    if (!query.scopePaths.length) return [];
    conditions.push(or(...query.scopePaths.map((p) => like(incidents.placePath, `${escapeLike(p)}%`)))!);
  }
  if (query.status?.length) conditions.push(inArray(incidents.status, query.status));
  if (query.before !== undefined) conditions.push(lt(incidents.id, query.before));
  return db
    .select()
    .from(incidents)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(incidents.id))
    .limit(query.limit);
}

/** Timers to re-arm at start: escalations, flap holds and re-checks that are still ahead. */
export async function incidentsWithTimers(db: Db): Promise<IncidentRow[]> {
  return db
    .select()
    .from(incidents)
    .where(
      or(
        isNotNull(incidents.nextEscalationAt),
        isNotNull(incidents.autoResolveAt),
        and(eq(incidents.status, "resolved"), isNotNull(incidents.recheckDueAt), isNull(incidents.recheckNotifiedAt)),
      ),
    );
}

/** Incidents opened in a time range, for metrics; `communityIds` narrows to those communities. */
export async function incidentsOpenedBetween(db: Db, fromMs: number, toMs: number, communityIds?: string[]): Promise<IncidentRow[]> {
  const conditions = [gte(incidents.openedAt, fromMs), lt(incidents.openedAt, toMs)];
  if (communityIds) conditions.push(inArray(incidents.communityId, communityIds.length ? communityIds : ["-"]));
  return db.select().from(incidents).where(and(...conditions));
}

/** Place ids are [a-z0-9-] (places/queries.ts), so only `%` and `_` could ever need escaping; neither can occur. */
function escapeLike(path: string): string {
  return path.replace(/[%_]/g, "");
}
