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
 * community emergency supplies (消防、救援、警示、急救、防护), about forty items as a stocked station
 * keeps them, with expiry dates that give the console something to warn about: AED pads, torch
 * batteries and iodine swabs due this month, tourniquets already expired, masks and bandages
 * within a few weeks, the rest months or years away.
 */
export function demoInventory(now: number): Array<{ item: string; category: SupplyCategory; quantity: number; expiresOn: string | null; note: string | null }> {
  const inDays = (days: number) => dateAfter(now, days);
  const monthEnd = endOfMonth(now);
  const expired = new Date(now - 5 * DAY_MS).toISOString().slice(0, 10);
  return [
    { item: "干粉灭火器 4kg ABC dry-powder extinguisher", category: "fire", quantity: 4, expiresOn: inDays(730), note: "压力表在绿区 gauge in the green" },
    { item: "二氧化碳灭火器 3kg CO₂ extinguisher", category: "fire", quantity: 1, expiresOn: inDays(1460), note: null },
    { item: "灭火毯 Fire blanket", category: "fire", quantity: 2, expiresOn: inDays(420), note: null },
    { item: "消防水带 20 m Fire hose", category: "fire", quantity: 2, expiresOn: null, note: null },
    { item: "消防水枪 Hose nozzle", category: "fire", quantity: 1, expiresOn: null, note: null },
    { item: "消火栓扳手 Hydrant wrench", category: "fire", quantity: 1, expiresOn: null, note: null },
    { item: "消防斧 Fire axe", category: "fire", quantity: 1, expiresOn: null, note: null },
    { item: "救援绳 30 m Rescue rope", category: "rescue", quantity: 1, expiresOn: inDays(1100), note: null },
    { item: "安全带 Safety harness", category: "rescue", quantity: 2, expiresOn: inDays(1300), note: null },
    { item: "破拆工具组 Forcible-entry tools", category: "rescue", quantity: 1, expiresOn: null, note: "撬棍、断线钳 crowbar, bolt cutter" },
    { item: "折叠担架 Folding stretcher", category: "rescue", quantity: 1, expiresOn: null, note: null },
    { item: "伸缩梯 Extension ladder", category: "rescue", quantity: 1, expiresOn: null, note: null },
    { item: "铁锹 Shovel", category: "rescue", quantity: 2, expiresOn: null, note: null },
    { item: "强光手电（含电池）Torch with batteries", category: "warning", quantity: 2, expiresOn: monthEnd, note: "电池到期 batteries due" },
    { item: "头灯 Head torch", category: "warning", quantity: 2, expiresOn: inDays(200), note: null },
    { item: "救生哨 Whistle", category: "warning", quantity: 5, expiresOn: null, note: null },
    { item: "警戒带 Cordon tape", category: "warning", quantity: 2, expiresOn: null, note: null },
    { item: "反光锥 Traffic cone", category: "warning", quantity: 4, expiresOn: null, note: null },
    { item: "手持扩音器 Megaphone", category: "warning", quantity: 1, expiresOn: null, note: null },
    { item: "应急收音机 Wind-up emergency radio", category: "warning", quantity: 1, expiresOn: null, note: null },
    { item: "AED 电极片 AED electrode pads", category: "first-aid", quantity: 2, expiresOn: monthEnd, note: "成人 adult" },
    { item: "AED 儿童电极片 AED paediatric pads", category: "first-aid", quantity: 1, expiresOn: inDays(400), note: null },
    { item: "AED 电池 AED battery", category: "first-aid", quantity: 1, expiresOn: inDays(490), note: null },
    { item: "急救包 First-aid kit", category: "first-aid", quantity: 2, expiresOn: inDays(240), note: null },
    { item: "止血带 Tourniquet", category: "first-aid", quantity: 4, expiresOn: expired, note: null },
    { item: "医用纱布绷带 Gauze bandage", category: "first-aid", quantity: 10, expiresOn: inDays(40), note: null },
    { item: "碘伏棉签 Iodine swabs", category: "first-aid", quantity: 3, expiresOn: monthEnd, note: null },
    { item: "三角巾 Triangular bandage", category: "first-aid", quantity: 4, expiresOn: inDays(900), note: null },
    { item: "夹板 Splint", category: "first-aid", quantity: 2, expiresOn: null, note: null },
    { item: "急救保温毯 Emergency blanket", category: "first-aid", quantity: 5, expiresOn: inDays(1200), note: null },
    { item: "CPR 呼吸面罩 CPR face shield", category: "first-aid", quantity: 2, expiresOn: inDays(600), note: null },
    { item: "消防自救呼吸器 Escape smoke hood", category: "protection", quantity: 6, expiresOn: inDays(800), note: null },
    { item: "医用外科口罩 Surgical masks", category: "protection", quantity: 50, expiresOn: inDays(55), note: null },
    { item: "防护手套 Protective gloves", category: "protection", quantity: 10, expiresOn: null, note: null },
    { item: "安全帽 Helmet", category: "protection", quantity: 4, expiresOn: null, note: null },
    { item: "反光背心 Reflective vest", category: "protection", quantity: 4, expiresOn: null, note: null },
    { item: "护目镜 Safety goggles", category: "protection", quantity: 4, expiresOn: null, note: null },
    { item: "雨衣 Raincoat", category: "protection", quantity: 4, expiresOn: null, note: null },
    { item: "防滑雨靴 Rain boots", category: "protection", quantity: 2, expiresOn: null, note: null },
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
