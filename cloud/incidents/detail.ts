import { and, desc, eq, gte, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { alarms, staff } from "../db/schema";
import { reportsOfIncident } from "../reports/queries";
import { placesOnPath } from "../routing/queries";
import { loadStaff } from "../staff/queries";
import { pathWithin } from "../staff/viewer";
import type { IncidentRow } from "./view";

/**
 * What the console's incident page shows besides the incident itself: the place's path by name,
 * the alarm's evidence (the samples the node sent) with the latest reading, residents' reports
 * with their photos, and the names of the people in its timeline.
 */
export async function incidentContext(db: Db, row: IncidentRow, personIds: readonly number[]) {
  const [chain, first, latest, reports, people] = await Promise.all([
    row.placePath ? placesOnPath(db, row.placePath) : Promise.resolve([]),
    row.firstAlarmId === null ? Promise.resolve([]) : db.select().from(alarms).where(eq(alarms.id, row.firstAlarmId)),
    row.firstAlarmId === null || row.nodeId === null
      ? Promise.resolve([])
      : db
          .select()
          .from(alarms)
          .where(and(eq(alarms.nodeId, row.nodeId), gte(alarms.id, row.firstAlarmId), eq(alarms.state, "raised")))
          .orderBy(desc(alarms.id))
          .limit(1),
    reportsOfIncident(db, row.id),
    personIds.length ? db.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, [...new Set(personIds)])) : Promise.resolve([]),
  ]);
  const alarm = first[0];
  return {
    places: chain.map((p) => ({ id: p.id, level: p.level, name: p.name })),
    alarm: alarm
      ? {
          kind: alarm.kind,
          unit: alarm.unit,
          threshold: alarm.threshold,
          firstValue: alarm.value,
          // The summary keeps the first trigger's words; the reading to act on is the newest one.
          latestValue: latest[0]?.value ?? alarm.value,
          latestAt: new Date(latest[0]?.receivedAt ?? alarm.receivedAt).toISOString(),
          evidence: alarm.evidence ? (JSON.parse(alarm.evidence) as number[]) : null,
        }
      : null,
    reports: reports.map((r) => ({ id: r.id, reportedAt: new Date(r.createdAt).toISOString(), description: r.description, category: r.category, photoUrl: r.photoFile ? `/api/reports/${r.id}/photo` : null })),
    people: Object.fromEntries(people.map((p) => [p.id, p.name])) as Record<number, string>,
  };
}

/** The people who could be sent to this incident: active, with a scope that covers its place. No phone numbers. */
export async function respondersFor(db: Db, row: IncidentRow) {
  if (!row.placePath) return [];
  const onPath = row.placePath.split("/").filter(Boolean);
  const people = await loadStaff(db, { activeOnly: true, scopedAtAnyOf: onPath });
  return people.filter((p) => pathWithin(row.placePath, p.scopes.map((s) => s.path))).map((p) => ({ id: p.id, name: p.name, role: p.role }));
}
