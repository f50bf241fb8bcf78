import { eq } from "drizzle-orm";
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
