import webPush from "web-push";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { serviceKeys } from "../../db/schema";

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/**
 * The VAPID pair push services know this cloud by (RFC 8292). From the environment when given;
 * otherwise made once and kept in the database, so every instance signs with the same key and
 * browsers' subscriptions (which are bound to the public key) survive restarts.
 */
export async function ensureVapidKeys(db: Db, fromEnv: VapidKeys | null, subject: string, now: number): Promise<VapidKeys> {
  if (fromEnv) return fromEnv;
  const [stored] = await db.select().from(serviceKeys).where(eq(serviceKeys.name, "web-push-vapid"));
  if (stored) return { ...(JSON.parse(stored.value) as { publicKey: string; privateKey: string }), subject };
  const made = webPush.generateVAPIDKeys();
  // Two instances starting together: the first insert wins, the other reads it back.
  await db.insert(serviceKeys).values({ name: "web-push-vapid", value: JSON.stringify(made), createdAt: now }).onConflictDoNothing();
  const [kept] = await db.select().from(serviceKeys).where(eq(serviceKeys.name, "web-push-vapid"));
  return { ...(JSON.parse(kept.value) as { publicKey: string; privateKey: string }), subject };
}
