import { and, asc, eq, inArray, isNotNull, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { incidents, places, residentReports } from "../db/schema";

export async function insertReport(db: Db, report: typeof residentReports.$inferInsert): Promise<number> {
  const [row] = await db.insert(residentReports).values(report).returning({ id: residentReports.id });
  return row.id;
}

export async function linkReport(db: Db, reportId: number, incidentId: number): Promise<void> {
  await db.update(residentReports).set({ incidentId }).where(eq(residentReports.id, reportId));
}

export async function placeExists(db: Db, placeId: string): Promise<boolean> {
  const rows = await db.select({ id: places.id }).from(places).where(eq(places.id, placeId)).limit(1);
  return rows.length > 0;
}

/** A report and the state of the incident it went into, for its reporter. */
export async function reportStatus(db: Db, tokenHash: string) {
  const [row] = await db
    .select({ report: residentReports, incident: incidents, placeName: places.name })
    .from(residentReports)
    .leftJoin(incidents, eq(incidents.id, residentReports.incidentId))
    .leftJoin(places, eq(places.id, residentReports.placeId))
    .where(eq(residentReports.tokenHash, tokenHash));
  return row;
}

/** An incident's reports, oldest first, with their place's path for the scope check. */
export async function reportsOfIncident(db: Db, incidentId: number) {
  return db
    .select({
      id: residentReports.id,
      createdAt: residentReports.createdAt,
      description: residentReports.description,
      category: residentReports.category,
      photoFile: residentReports.photoFile,
      placePath: places.path,
    })
    .from(residentReports)
    .leftJoin(places, eq(places.id, residentReports.placeId))
    .where(eq(residentReports.incidentId, incidentId))
    .orderBy(asc(residentReports.id));
}

export async function reportForStaff(db: Db, reportId: number) {
  const [row] = await db
    .select({ photoFile: residentReports.photoFile, photoType: residentReports.photoType, placePath: places.path })
    .from(residentReports)
    .leftJoin(places, eq(places.id, residentReports.placeId))
    .where(eq(residentReports.id, reportId));
  return row;
}

/** Reports whose photo is older than the retention cut-off, oldest first, a batch at a time. */
export async function photosOlderThan(db: Db, cutoffMs: number, limit: number) {
  return db
    .select({ id: residentReports.id, photoFile: residentReports.photoFile })
    .from(residentReports)
    .where(and(isNotNull(residentReports.photoFile), lt(residentReports.createdAt, cutoffMs)))
    .orderBy(asc(residentReports.id))
    .limit(limit);
}

export async function forgetPhotos(db: Db, reportIds: number[]): Promise<void> {
  if (reportIds.length > 0) await db.update(residentReports).set({ photoFile: null, photoType: null, photoBytes: null }).where(inArray(residentReports.id, reportIds));
}
