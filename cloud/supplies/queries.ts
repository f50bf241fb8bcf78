import { and, asc, eq, isNotNull, like, lte, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { capsules, capsuleSupplies, nodes, places } from "../db/schema";
import { dateAfter, daysUntil, type SupplyInput, type SupplyRecord } from "./supply";

type SupplyRow = typeof capsuleSupplies.$inferSelect;

function toRecord(row: SupplyRow): SupplyRecord {
  return {
    id: row.id,
    capsuleId: row.capsuleId,
    item: row.item,
    category: row.category,
    quantity: row.quantity,
    expiresOn: row.expiresOn,
    note: row.note,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

export async function capsuleExists(db: Db, capsuleId: string): Promise<boolean> {
  const [row] = await db.select({ nodeId: capsules.nodeId }).from(capsules).where(eq(capsules.nodeId, capsuleId));
  return row !== undefined;
}

export async function listSupplies(db: Db, capsuleId: string): Promise<SupplyRecord[]> {
  const rows = await db.select().from(capsuleSupplies).where(eq(capsuleSupplies.capsuleId, capsuleId)).orderBy(asc(capsuleSupplies.category), asc(capsuleSupplies.item));
  return rows.map(toRecord);
}

export async function addSupply(db: Db, capsuleId: string, input: SupplyInput, now: number): Promise<SupplyRecord> {
  const [row] = await db
    .insert(capsuleSupplies)
    .values({ capsuleId, ...input, createdAt: now, updatedAt: now })
    .returning();
  return toRecord(row);
}

/** Null when the capsule has no such item. */
export async function updateSupply(db: Db, capsuleId: string, id: number, change: Partial<SupplyInput>, now: number): Promise<SupplyRecord | null> {
  const [row] = await db
    .update(capsuleSupplies)
    .set({ ...change, updatedAt: now })
    .where(and(eq(capsuleSupplies.id, id), eq(capsuleSupplies.capsuleId, capsuleId)))
    .returning();
  return row ? toRecord(row) : null;
}

export async function removeSupply(db: Db, capsuleId: string, id: number): Promise<boolean> {
  const rows = await db
    .delete(capsuleSupplies)
    .where(and(eq(capsuleSupplies.id, id), eq(capsuleSupplies.capsuleId, capsuleId)))
    .returning({ id: capsuleSupplies.id });
  return rows.length > 0;
}

export interface ExpiringSupply extends SupplyRecord {
  /** Days left from today (UTC); zero or negative: expired. */
  daysLeft: number;
  placeId: string | null;
  placeName: string | null;
}

/** Everything that expires within `days` of `now` (or has expired), soonest first, optionally inside a place. */
export async function expiringSupplies(db: Db, now: number, days: number, placePath?: string, scope?: SQL): Promise<ExpiringSupply[]> {
  const conditions: SQL[] = [isNotNull(capsuleSupplies.expiresOn), lte(capsuleSupplies.expiresOn, dateAfter(now, days))];
  if (placePath !== undefined) conditions.push(like(places.path, `${placePath}%`));
  if (scope !== undefined) conditions.push(scope);
  const rows = await db
    .select({ supply: capsuleSupplies, placeId: nodes.placeId, placeName: places.name })
    .from(capsuleSupplies)
    .innerJoin(nodes, eq(nodes.id, capsuleSupplies.capsuleId))
    .leftJoin(places, eq(places.id, nodes.placeId))
    .where(and(...conditions))
    .orderBy(asc(capsuleSupplies.expiresOn), asc(capsuleSupplies.capsuleId), asc(capsuleSupplies.item))
    .limit(5000);
  return rows.map(({ supply, placeId, placeName }) => ({ ...toRecord(supply), daysLeft: daysUntil(now, supply.expiresOn!), placeId, placeName }));
}
