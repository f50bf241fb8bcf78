import { randomBytes } from "node:crypto";
import { and, eq, inArray, isNull, like, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { placards, places, type PlaceLevel } from "../db/schema";

/** Placards go on compounds and buildings: where residents walk past them. */
const PLACARD_LEVELS: readonly PlaceLevel[] = ["compound", "building"];

export interface Placard {
  code: string;
  placeId: string;
  placeName: string;
  level: PlaceLevel;
  /** Names from the street down, for the placard's heading ("幸福街道 · 幸福里社区 · 3号楼"). */
  pathNames: string[];
}

/** 128 random bits, base64url: short enough for a small QR code, far too many to guess. */
export function newPlacardCode(): string {
  return randomBytes(16).toString("base64url");
}

export function isPlacardCode(code: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(code);
}

/** Every compound and building at or under a place, each with its live placard code (made on first use). */
export async function placardsUnder(db: Db, placeId: string, nowMs: number): Promise<Placard[]> {
  const [root] = await db.select().from(places).where(eq(places.id, placeId));
  if (!root) return [];
  const targets = await db
    .select()
    .from(places)
    .where(and(or(eq(places.id, placeId), like(places.path, `${root.path}%`)), inArray(places.level, [...PLACARD_LEVELS])))
    .orderBy(places.path);
  if (targets.length === 0) return [];
  const live = await db
    .select()
    .from(placards)
    .where(and(inArray(placards.placeId, targets.map((t) => t.id)), isNull(placards.revokedAt)));
  const codeOf = new Map(live.map((p) => [p.placeId, p.code]));
  const missing = targets.filter((t) => !codeOf.has(t.id)).map((t) => ({ code: newPlacardCode(), placeId: t.id, createdAt: nowMs }));
  if (missing.length > 0) await db.insert(placards).values(missing);
  for (const m of missing) codeOf.set(m.placeId, m.code);
  const ancestors = await namesByPath(db, targets.map((t) => t.path));
  return targets.map((t) => ({
    code: codeOf.get(t.id)!,
    placeId: t.id,
    placeName: t.name,
    level: t.level,
    pathNames: t.path.split("/").filter(Boolean).map((id) => ancestors.get(id) ?? id),
  }));
}

/** The place a live placard stands for; null for an unknown or revoked code. */
export async function placardPlace(db: Db, code: string): Promise<{ placeId: string; name: string; pathNames: string[] } | null> {
  if (!isPlacardCode(code)) return null;
  const [row] = await db
    .select({ placeId: places.id, name: places.name, path: places.path })
    .from(placards)
    .innerJoin(places, eq(places.id, placards.placeId))
    .where(and(eq(placards.code, code), isNull(placards.revokedAt)));
  if (!row) return null;
  const names = await namesByPath(db, [row.path]);
  return { placeId: row.placeId, name: row.name, pathNames: row.path.split("/").filter(Boolean).map((id) => names.get(id) ?? id) };
}

/** Retires a place's placard (abused, or torn down): its code stops working; the next print makes a new one. */
export async function revokePlacards(db: Db, placeId: string, nowMs: number): Promise<number> {
  const rows = await db.update(placards).set({ revokedAt: nowMs }).where(and(eq(placards.placeId, placeId), isNull(placards.revokedAt))).returning({ code: placards.code });
  return rows.length;
}

async function namesByPath(db: Db, paths: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(paths.flatMap((p) => p.split("/").filter(Boolean)))];
  const rows = await db.select({ id: places.id, name: places.name }).from(places).where(inArray(places.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}
