import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { deliveries, incidents, webhooks, type DeliveryChannel, type DeliveryStatus } from "../db/schema";

export type NewDelivery = typeof deliveries.$inferInsert;
export type WebhookRow = typeof webhooks.$inferSelect;

export async function insertDeliveries(db: Db, rows: NewDelivery[]): Promise<number[]> {
  if (!rows.length) return [];
  const inserted = await db.insert(deliveries).values(rows).returning({ id: deliveries.id });
  return inserted.map((r) => r.id);
}

export interface DeliveryChange {
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  completedAt: number | null;
}

/**
 * Several outcomes in one transaction, with the first-notified time of incidents whose first
 * delivery is among them: one disk sync instead of one per row.
 */
export async function updateDeliveries(db: Db, changes: Array<{ id: number; change: DeliveryChange }>, firstNotified: Array<{ incidentId: number; at: number }> = []): Promise<void> {
  if (!changes.length && !firstNotified.length) return;
  const statements = [
    ...changes.map(({ id, change }) => db.update(deliveries).set(change).where(eq(deliveries.id, id))),
    ...firstNotified.map(({ incidentId, at }) => db.update(incidents).set({ firstNotifiedAt: at }).where(and(eq(incidents.id, incidentId), isNull(incidents.firstNotifiedAt)))),
  ];
  const [first, ...rest] = statements;
  await db.batch([first, ...rest]);
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
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
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
