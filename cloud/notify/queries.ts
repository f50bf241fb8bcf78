import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client";
import { insertPrepared } from "../db/prepared-insert";
import { deliveries, incidents, webhooks, type DeliveryChannel, type DeliveryStatus } from "../db/schema";

export type NewDelivery = typeof deliveries.$inferInsert;
export type WebhookRow = typeof webhooks.$inferSelect;

export async function insertDeliveries(db: Db, rows: NewDelivery[]): Promise<number[]> {
  if (!rows.length) return [];
  const inserted = await db.insert(deliveries).values(rows).returning({ id: deliveries.id });
  return inserted.map((r) => r.id);
}

/**
 * A round's rows, each unique by (incident, round, channel, recipient): a round taken up again
 * after a crash inserts only what the first run had not, and returns only those. SQLite inserts
 * a multi-row VALUES in order, but `returning` after a conflict skips rows, so callers match on
 * (channel, recipient) rather than position.
 */
const ROUND_RETURNS = { id: deliveries.id, channel: deliveries.channel, recipient: deliveries.recipient };

export async function insertRound(db: Db, rows: NewDelivery[]): Promise<Array<{ id: number; channel: DeliveryChannel; recipient: string | null }>> {
  if (!rows.length) return [];
  return insertPrepared(db, deliveries, rows, { conflict: "nothing", returning: ROUND_RETURNS });
}

export interface DeliveryChange {
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  completedAt: number | null;
  provider?: string | null;
  reference?: string | null;
  nextAttemptAt?: number | null;
  leaseUntil?: number | null;
  leaseOwner?: string | null;
}

export type DeliveryRow = typeof deliveries.$inferSelect;

/**
 * Takes up deliveries a restart left pending or retrying: this instance's own (its earlier
 * life), anyone's whose lease ran out (an instance that died), never one another live instance
 * holds. The claim is one UPDATE … RETURNING, so two instances starting together split the rows.
 */
export async function claimUnfinished(db: Db, instance: string, now: number, leaseMs: number, limit = 5000): Promise<DeliveryRow[]> {
  const candidates = db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        inArray(deliveries.status, ["pending", "retrying", "calling"]),
        or(isNull(deliveries.leaseOwner), eq(deliveries.leaseOwner, instance), lt(deliveries.leaseUntil, now)),
      ),
    )
    .orderBy(deliveries.id)
    .limit(limit);
  return db
    .update(deliveries)
    .set({ leaseOwner: instance, leaseUntil: sql`max(coalesce(${deliveries.nextAttemptAt}, 0), ${now}) + ${leaseMs}` })
    .where(and(inArray(deliveries.id, candidates), inArray(deliveries.status, ["pending", "retrying", "calling"])))
    .returning();
}

/** Whether any delivery of a round reached someone (a restarted round's earlier rows count). */
export async function roundDelivered(db: Db, incidentId: number, roundKey: string): Promise<{ delivered: boolean; open: number }> {
  const rows = await db
    .select({ status: deliveries.status, n: sql<number>`count(*)` })
    .from(deliveries)
    .where(and(eq(deliveries.incidentId, incidentId), eq(deliveries.roundKey, roundKey)))
    .groupBy(deliveries.status);
  return {
    delivered: rows.some((r) => r.status === "sent"),
    open: rows.filter((r) => r.status === "pending" || r.status === "retrying" || r.status === "calling").reduce((sum, r) => sum + Number(r.n), 0),
  };
}

/**
 * Several outcomes in one transaction, with the first-notified time of incidents whose first
 * delivery is among them: one disk sync instead of one per row.
 */
/** A delivery change's statement text, by the change's set of keys: built once per shape, not per outcome. */
const deliveryUpdates = new Map<string, string>();

function deliveryUpdate(id: number, change: DeliveryChange): InStatement {
  const keys = (Object.keys(change) as Array<keyof DeliveryChange>).filter((key) => change[key] !== undefined);
  const shape = keys.join(",");
  let text = deliveryUpdates.get(shape);
  if (text === undefined) {
    text = `update deliveries set ${keys.map((key) => `"${deliveries[key].name}" = ?`).join(", ")} where id = ?`;
    deliveryUpdates.set(shape, text);
  }
  return { sql: text, args: [...keys.map((key) => change[key] ?? null), id] };
}

/**
 * Delivery outcomes, and the incidents they first reached someone for, in one write. Raw
 * statements, not the ORM's: every SMS, call and message ends here, and the ORM built each
 * update's text afresh (bench:storm, BENCH_CPU_PROFILE: 140 ms of the loop in the reconnect
 * wave's first 6 s went to building these).
 */
export async function updateDeliveries(db: Db, changes: Array<{ id: number; change: DeliveryChange }>, firstNotified: Array<{ incidentId: number; at: number }> = []): Promise<void> {
  if (!changes.length && !firstNotified.length) return;
  await db.$client.batch(
    [
      ...changes.map(({ id, change }) => deliveryUpdate(id, change)),
      ...firstNotified.map(({ incidentId, at }) => ({ sql: "update incidents set first_notified_at = ? where id = ? and first_notified_at is null", args: [at, incidentId] })),
    ],
    "write",
  );
}

export async function listDeliveries(db: Db, incidentId: number, channel?: DeliveryChannel) {
  const rows = await db
    .select()
    .from(deliveries)
    .where(channel ? and(eq(deliveries.incidentId, incidentId), eq(deliveries.channel, channel)) : eq(deliveries.incidentId, incidentId))
    .orderBy(desc(deliveries.id));
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    staffId: r.staffId,
    webhookId: r.webhookId,
    purpose: r.purpose,
    tier: r.tier,
    robotId: r.robotId,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    provider: r.provider,
    createdAt: new Date(r.createdAt).toISOString(),
    completedAt: r.completedAt === null ? null : new Date(r.completedAt).toISOString(),
  }));
}

export async function activeWebhooks(db: Db): Promise<WebhookRow[]> {
  return db.select().from(webhooks).where(eq(webhooks.active, true));
}

export async function insertWebhook(db: Db, hook: { name: string; url: string; secret: string; hazards: string[] | null }, now: number): Promise<WebhookRow> {
  const [row] = await db
    .insert(webhooks)
    .values({ name: hook.name, url: hook.url, secret: hook.secret, hazards: hook.hazards ? JSON.stringify(hook.hazards) : null, createdAt: now })
    .returning();
  return row;
}

export async function listWebhooks(db: Db) {
  const rows = await db.select().from(webhooks).orderBy(webhooks.id);
  return rows.map(({ secret: _secret, ...rest }) => ({ ...rest, hazards: rest.hazards ? (JSON.parse(rest.hazards) as string[]) : null }));
}

export async function setWebhookActive(db: Db, id: number, active: boolean): Promise<boolean> {
  const rows = await db.update(webhooks).set({ active }).where(eq(webhooks.id, id)).returning({ id: webhooks.id });
  return rows.length > 0;
}
