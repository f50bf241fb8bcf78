import { asc, eq, like } from "drizzle-orm";
import type { Db } from "../db/client";
import { PLACE_LEVELS, places, type PlaceLevel } from "../db/schema";

export type Place = typeof places.$inferSelect;

/** Which level may sit under which: a building under a compound, never the other way round. */
const CHILD_LEVELS: Record<PlaceLevel, readonly PlaceLevel[]> = {
  street: ["community"],
  community: ["compound"],
  compound: ["building", "capsule"],
  building: ["floor", "elevator", "capsule"],
  floor: [],
  elevator: [],
  capsule: [],
};

export class PlaceError extends Error {
  override name = "PlaceError";
}

/** Adds a place under `parentId` (or a street at the root), checking the level fits there. */
export async function createPlace(db: Db, place: { id: string; parentId: string | null; level: PlaceLevel; name: string }, now: number): Promise<Place> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(place.id)) throw new PlaceError("place id must be 1–63 characters of a–z, 0–9 and '-'");
  if (!PLACE_LEVELS.includes(place.level)) throw new PlaceError(`level must be one of ${PLACE_LEVELS.join(", ")}`);
  let path = `${place.id}/`;
  if (place.parentId === null) {
    if (place.level !== "street") throw new PlaceError("only a street may sit at the top of the hierarchy");
  } else {
    const [parent] = await db.select().from(places).where(eq(places.id, place.parentId));
    if (!parent) throw new PlaceError(`no place "${place.parentId}"`);
    if (!CHILD_LEVELS[parent.level].includes(place.level)) {
      throw new PlaceError(`a ${place.level} cannot sit under a ${parent.level}`);
    }
    path = `${parent.path}${place.id}/`;
  }
  const [row] = await db.insert(places).values({ ...place, path, createdAt: now }).returning();
  return row;
}

/** The place and every place inside it. */
export async function placesWithin(db: Db, placeId: string): Promise<Place[]> {
  const [root] = await db.select().from(places).where(eq(places.id, placeId));
  if (!root) return [];
  return db.select().from(places).where(like(places.path, `${root.path}%`));
}

export async function findPlace(db: Db, placeId: string): Promise<Place | null> {
  const [row] = await db.select().from(places).where(eq(places.id, placeId));
  return row ?? null;
}

/** Every place, in hierarchy order (by path). */
export async function listPlaces(db: Db): Promise<Place[]> {
  return db.select().from(places).orderBy(asc(places.path));
}
