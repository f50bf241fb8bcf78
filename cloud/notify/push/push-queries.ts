import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { pushSubscriptions } from "../../db/schema";

export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;

/** Stores a browser's subscription for a person; the same endpoint again (a re-subscribe) replaces its keys and owner. */
export async function savePushSubscription(db: Db, row: { staffId: number; endpoint: string; p256dh: string; auth: string }, now: number): Promise<void> {
  await db
    .insert(pushSubscriptions)
    .values({ ...row, createdAt: now })
    .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: { staffId: row.staffId, p256dh: row.p256dh, auth: row.auth, createdAt: now } });
}

export async function deletePushSubscription(db: Db, staffId: number, endpoint: string): Promise<boolean> {
  const rows = await db.delete(pushSubscriptions).where(and(eq(pushSubscriptions.staffId, staffId), eq(pushSubscriptions.endpoint, endpoint))).returning({ id: pushSubscriptions.id });
  return rows.length > 0;
}

/** A push service said the subscription is gone: forget it. */
export async function forgetPushSubscription(db: Db, id: number): Promise<void> {
  await db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, id));
}

export async function pushSubscriptionsOf(db: Db, staffIds: readonly number[]): Promise<PushSubscriptionRow[]> {
  if (!staffIds.length) return [];
  return db.select().from(pushSubscriptions).where(inArray(pushSubscriptions.staffId, [...staffIds]));
}

export async function markPushSent(db: Db, id: number, at: number): Promise<void> {
  await db.update(pushSubscriptions).set({ lastSentAt: at }).where(eq(pushSubscriptions.id, id));
}
