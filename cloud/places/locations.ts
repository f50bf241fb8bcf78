import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { placeLocations, places } from "../db/schema";

export interface LatLon {
  latitude: number;
  longitude: number;
}

export function isLatLon(value: { latitude?: unknown; longitude?: unknown }): value is LatLon {
  const { latitude, longitude } = value;
  return typeof latitude === "number" && typeof longitude === "number" && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
}

export async function setPlaceLocation(db: Db, placeId: string, at: LatLon): Promise<void> {
  await db.insert(placeLocations).values({ placeId, ...at }).onConflictDoUpdate({ target: placeLocations.placeId, set: at });
}

export async function placeLocation(db: Db, placeId: string): Promise<LatLon | null> {
  const [row] = await db.select({ latitude: placeLocations.latitude, longitude: placeLocations.longitude }).from(placeLocations).where(eq(placeLocations.placeId, placeId));
  return row ?? null;
}

/** The located place nearest to a point, within `maxMeters`; the deepest place wins a tie in distance. */
export async function nearestPlace(db: Db, at: LatLon, maxMeters: number): Promise<{ placeId: string; meters: number } | null> {
  const rows = await db
    .select({ placeId: placeLocations.placeId, latitude: placeLocations.latitude, longitude: placeLocations.longitude, path: places.path })
    .from(placeLocations)
    .innerJoin(places, eq(places.id, placeLocations.placeId));
  let best: { placeId: string; meters: number; depth: number } | null = null;
  for (const row of rows) {
    const meters = haversineMeters(at, row);
    const depth = row.path.length;
    if (meters > maxMeters) continue;
    if (!best || meters < best.meters - 1 || (Math.abs(meters - best.meters) <= 1 && depth > best.depth)) best = { placeId: row.placeId, meters, depth };
  }
  return best ? { placeId: best.placeId, meters: Math.round(best.meters) } : null;
}

/** Great-circle distance on a sphere of the mean Earth radius (IUGG, 6,371,008.8 m). */
export function haversineMeters(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}
