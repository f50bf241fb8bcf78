import { eq } from "drizzle-orm";
import type { Db } from "../cloud/db/client";
import { capsules, capsuleSupplies, type SupplyCategory } from "../cloud/db/schema";
import { addSupply } from "../cloud/supplies/queries";
import { dateAfter } from "../cloud/supplies/supply";

const DAY_MS = 86_400_000;

/** The last day of `now`'s month (UTC), as YYYY-MM-DD. */
function endOfMonth(now: number): string {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
}

/**
 * What a community emergency capsule holds, by the five categories of the national guidance for
 * community emergency supplies (消防、救援、警示、急救、防护), with expiry dates that give the
 * console something to warn about: AED pads and torch batteries due this month, tourniquets
 * already expired, the rest months or years away.
 */
export function demoInventory(now: number): Array<{ item: string; category: SupplyCategory; quantity: number; expiresOn: string | null; note: string | null }> {
  const inDays = (days: number) => dateAfter(now, days);
  return [
    { item: "干粉灭火器 4kg ABC dry-powder extinguisher", category: "fire", quantity: 2, expiresOn: inDays(730), note: "压力表在绿区 gauge in the green" },
    { item: "灭火毯 Fire blanket", category: "fire", quantity: 2, expiresOn: inDays(420), note: null },
    { item: "救援绳 30 m Rescue rope", category: "rescue", quantity: 1, expiresOn: inDays(1100), note: null },
    { item: "破拆工具组 Forcible-entry tools", category: "rescue", quantity: 1, expiresOn: null, note: null },
    { item: "折叠担架 Folding stretcher", category: "rescue", quantity: 1, expiresOn: null, note: null },
    { item: "强光手电（含电池）Torch with batteries", category: "warning", quantity: 2, expiresOn: endOfMonth(now), note: "电池到期 batteries due" },
    { item: "救生哨 Whistle", category: "warning", quantity: 5, expiresOn: null, note: null },
    { item: "警戒带 Cordon tape", category: "warning", quantity: 2, expiresOn: null, note: null },
    { item: "扩音器 Megaphone", category: "warning", quantity: 1, expiresOn: null, note: null },
    { item: "AED 电极片 AED electrode pads", category: "first-aid", quantity: 2, expiresOn: endOfMonth(now), note: "成人 adult" },
    { item: "AED 电池 AED battery", category: "first-aid", quantity: 1, expiresOn: inDays(490), note: null },
    { item: "急救包 First-aid kit", category: "first-aid", quantity: 2, expiresOn: inDays(240), note: null },
    { item: "止血带 Tourniquet", category: "first-aid", quantity: 4, expiresOn: new Date(now - 5 * DAY_MS).toISOString().slice(0, 10), note: null },
    { item: "消防自救呼吸器 Escape smoke hood", category: "protection", quantity: 6, expiresOn: inDays(800), note: null },
    { item: "防护手套 Protective gloves", category: "protection", quantity: 10, expiresOn: null, note: null },
    { item: "安全帽 Helmet", category: "protection", quantity: 4, expiresOn: null, note: null },
    { item: "反光背心 Reflective vest", category: "protection", quantity: 4, expiresOn: null, note: null },
  ];
}

/**
 * Stocks the demo capsule once it is known (its node has reported its state), unless it already
 * holds something. Returns whether it stocked it.
 */
export async function seedDemoSupplies(db: Db, capsuleId: string, now: number): Promise<boolean> {
  const [known] = await db.select({ id: capsules.nodeId }).from(capsules).where(eq(capsules.nodeId, capsuleId));
  if (!known) return false;
  const [any] = await db.select({ id: capsuleSupplies.id }).from(capsuleSupplies).where(eq(capsuleSupplies.capsuleId, capsuleId)).limit(1);
  if (any) return false;
  for (const supply of demoInventory(now)) await addSupply(db, capsuleId, supply, now);
  return true;
}
