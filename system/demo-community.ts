import type { Db } from "../cloud/db/client";
import { places } from "../cloud/db/schema";
import { assignNodePlace } from "../cloud/nodes/queries";
import { createPlace } from "../cloud/places/queries";
import { insertStaff, replaceScopes } from "../cloud/staff/queries";

/**
 * The places and people of the simulated site, so its alarms open incidents that reach someone:
 * one street, community, compound and building, with the elevator and the capsule in it, and a
 * building lead, property staff, the community office and an AED-trained volunteer. Seeded only
 * into a database that has no places yet, so it never touches a real site's data.
 */
export async function seedDemoCommunity(db: Db, nodeIds: { smoke: string[]; elevator?: string; capsule?: string }, now: number): Promise<boolean> {
  if ((await db.select({ id: places.id }).from(places).limit(1)).length > 0) return false;
  const add = (id: string, parentId: string | null, level: Parameters<typeof createPlace>[1]["level"], name: string) =>
    createPlace(db, { id, parentId, level, name }, now);
  await add("demo-street", null, "street", "新华街道 Xinhua Street");
  await add("demo-community", "demo-street", "community", "和平社区 Heping Community");
  await add("demo-compound", "demo-community", "compound", "3号院 No. 3 Compound");
  await add("demo-building", "demo-compound", "building", "1号楼 Building 1");
  await add("demo-lift", "demo-building", "elevator", "1号楼 电梯 Elevator A");
  await add("demo-capsule", "demo-compound", "capsule", "应急舱 Emergency capsule");

  for (const nodeId of nodeIds.smoke) await assignNodePlace(db, nodeId, "demo-building", now);
  if (nodeIds.elevator) await assignNodePlace(db, nodeIds.elevator, "demo-lift", now);
  if (nodeIds.capsule) await assignNodePlace(db, nodeIds.capsule, "demo-capsule", now);

  const people = [
    { name: "王楼长 Wang (building lead)", role: "building-lead", scope: "demo-building" },
    { name: "李物业 Li (property staff)", role: "property-staff", scope: "demo-compound" },
    { name: "社区办公室 Community office", role: "community-office", scope: "demo-community" },
    { name: "张志愿者 Zhang (AED volunteer)", role: "aed-volunteer", scope: "demo-community" },
  ] as const;
  for (const person of people) {
    const row = await insertStaff(db, { name: person.name, role: person.role, phone: null }, now);
    await replaceScopes(db, row.id, [person.scope]);
  }
  return true;
}
