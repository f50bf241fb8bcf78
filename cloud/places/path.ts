import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { places } from "../db/schema";

/** The path of a place (`st-1/cm-2/`), the prefix of everything inside it; null when there is no such place. */
export async function placePathOf(db: Db, placeId: string): Promise<string | null> {
  const [row] = await db.select({ path: places.path }).from(places).where(eq(places.id, placeId));
  return row ? row.path : null;
}

/**
 * Reads `?place=` for a list route: no filter without it, the place's path with it, and a
 * ready answer (400 or 404) when it names no place.
 */
export async function placeFilter(db: Db, placeId: string | undefined): Promise<{ placePath?: string } | { status: 400 | 404; message: string }> {
  if (placeId === undefined) return {};
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(placeId)) return { status: 400, message: "place must be a place id" };
  const placePath = await placePathOf(db, placeId);
  if (placePath === null) return { status: 404, message: `no place "${placeId}"` };
  return { placePath };
}
