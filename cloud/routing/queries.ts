import { inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { places } from "../db/schema";
import type { Place } from "../places/queries";

/** The places a path runs through, from the street down to the place itself. */
export async function placesOnPath(db: Db, path: string): Promise<Place[]> {
  const ids = path.split("/").filter(Boolean);
  if (!ids.length) return [];
  const rows = await db.select().from(places).where(inArray(places.id, ids));
  return rows.sort((a, b) => a.path.length - b.path.length);
}
