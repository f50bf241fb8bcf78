import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { routingGaps, type RoutingGapReason } from "../db/schema";

export type NewRoutingGap = Omit<typeof routingGaps.$inferInsert, "id" | "closedAt" | "closedBy">;

export async function recordRoutingGap(db: Db, gap: NewRoutingGap): Promise<void> {
  await db.insert(routingGaps).values(gap).onConflictDoNothing();
}

/** Gaps newest first; open ones only unless `all`. */
export async function listRoutingGaps(db: Db, options: { all?: boolean; limit?: number } = {}) {
  const rows = await db
    .select()
    .from(routingGaps)
    .where(options.all ? undefined : isNull(routingGaps.closedAt))
    .orderBy(desc(routingGaps.at))
    .limit(options.limit ?? 200);
  return rows.map((r) => ({
      id: r.id,
      incidentId: r.incidentId,
      hazard: r.hazard,
      placeId: r.placeId,
      step: r.step,
      reason: r.reason as RoutingGapReason,
      detail: JSON.parse(r.detail) as unknown,
      at: new Date(r.at).toISOString(),
      closedAt: r.closedAt === null ? null : new Date(r.closedAt).toISOString(),
      closedBy: r.closedBy,
  }));
}

/** Marks a gap mended (the roster, phone or robot it lacked is in place). */
export async function closeRoutingGap(db: Db, id: number, by: string, at: number): Promise<boolean> {
  const rows = await db
    .update(routingGaps)
    .set({ closedAt: at, closedBy: by })
    .where(and(eq(routingGaps.id, id), isNull(routingGaps.closedAt)))
    .returning({ id: routingGaps.id });
  return rows.length > 0;
}
