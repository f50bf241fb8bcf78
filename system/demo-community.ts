import { and, eq } from "drizzle-orm";
import type { Db } from "../cloud/db/client";
import { chatRobots, places, staff } from "../cloud/db/schema";
import { assignNodePlace } from "../cloud/nodes/queries";
import { createPlace } from "../cloud/places/queries";
import { insertStaff, replaceScopes, setStaffPhone } from "../cloud/staff/queries";

/**
 * The places and people of the simulated site, so its alarms open incidents that reach someone:
 * one street, community, compound and building, with the elevator and the capsule in it, and
 * someone with a phone for every role the routing rules name. Seeded only into a database that
 * has no places yet, so it never touches a real site's data.
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

  await ensureDemoRoster(db, null, now);
  return true;
}

/** One person for every role in the routing rules, each with a (made-up) phone, on duty at all times. */
const DEMO_PEOPLE = [
  { name: "王楼长 Wang (building lead)", role: "building-lead", scope: "demo-building", phone: "+8613800138001" },
  { name: "李物业 Li (property staff)", role: "property-staff", scope: "demo-compound", phone: "+8613800138002" },
  { name: "社区办公室 Community office", role: "community-office", scope: "demo-community", phone: "+8613800138003" },
  { name: "张志愿者 Zhang (AED volunteer)", role: "aed-volunteer", scope: "demo-community", phone: "+8613800138004" },
  { name: "赵网格员 Zhao (grid worker)", role: "grid-worker", scope: "demo-community", phone: "+8613800138005" },
  { name: "街道办 Street office", role: "street-office", scope: "demo-street", phone: "+8613800138006" },
  { name: "消防联络员 Fire-station liaison", role: "fire-liaison", scope: "demo-street", phone: "+8613800138007" },
] as const;

const DEMO_ROBOT = "和平社区工作群 Heping work group (simulated)";

/**
 * Brings a demo database's roster up to date on every start: the people of every role (an older
 * demo database had fewer), their phones, and the community's group robot pointed at this start's
 * simulated provider. Does nothing to a database without the demo's places.
 */
export async function ensureDemoRoster(db: Db, robot: { url: string; secret: string } | null, now: number): Promise<boolean> {
  if (!(await db.select({ id: places.id }).from(places).where(eq(places.id, "demo-community"))).length) return false;
  for (const person of DEMO_PEOPLE) {
    const [found] = await db.select({ id: staff.id, phone: staff.phone }).from(staff).where(eq(staff.name, person.name));
    if (!found) {
      const row = await insertStaff(db, { name: person.name, role: person.role, phone: person.phone }, now);
      await replaceScopes(db, row.id, [person.scope]);
    } else if (found.phone === null) await setStaffPhone(db, found.id, person.phone);
  }
  if (robot) {
    const [found] = await db.select({ id: chatRobots.id }).from(chatRobots).where(and(eq(chatRobots.placeId, "demo-community"), eq(chatRobots.name, DEMO_ROBOT)));
    if (found) await db.update(chatRobots).set({ url: robot.url, secret: robot.secret, active: true }).where(eq(chatRobots.id, found.id));
    else await db.insert(chatRobots).values({ placeId: "demo-community", kind: "dingtalk", name: DEMO_ROBOT, url: robot.url, secret: robot.secret, createdAt: now });
  }
  return true;
}
