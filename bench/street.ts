import { places, nodes as nodesTable } from "../cloud/db/schema";
import type { Db } from "../cloud/db/client";
import { createPlace } from "../cloud/places/queries";
import { insertStaff, replaceScopes } from "../cloud/staff/queries";

/**
 * The street bench:storm and bench:first-alarm seed: one community, 20 buildings a compound, one
 * node on each of a building's 10 floors, a lead per building, property staff per compound, and
 * the community and street offices. Everyone has a phone: a fire's first tier reaches them by SMS.
 */
const FLOORS_PER_BUILDING = 10;
const BUILDINGS_PER_COMPOUND = 20;

export const stormNodeId = (i: number) => `storm-${String(i).padStart(5, "0")}`;

/** Seeds the street for `count` nodes named by `nodeId`; returns each place's person (by the place they answer for). */
export async function seedStreet(db: Db, count: number, nodeId: (i: number) => string): Promise<Map<string, number>> {
  const t0 = Date.now();
  await createPlace(db, { id: "st-s", parentId: null, level: "street", name: "Storm Street" }, t0);
  await createPlace(db, { id: "cm-s", parentId: "st-s", level: "community", name: "Storm Community" }, t0);
  const scopes: Array<{ role: "building-lead" | "property-staff"; placeId: string }> = [];
  const buildings = Math.ceil(count / FLOORS_PER_BUILDING);
  for (let b = 0; b < buildings; b++) {
    const compound = `cp-${Math.floor(b / BUILDINGS_PER_COMPOUND)}`;
    if (b % BUILDINGS_PER_COMPOUND === 0) {
      await createPlace(db, { id: compound, parentId: "cm-s", level: "compound", name: `Compound ${compound}` }, t0);
      scopes.push({ role: "property-staff", placeId: compound });
    }
    const building = await createPlace(db, { id: `bd-${b}`, parentId: compound, level: "building", name: `Building ${b}` }, t0);
    scopes.push({ role: "building-lead", placeId: building.id });
    const floors = [];
    const nodeRows = [];
    for (let f = 0; f < FLOORS_PER_BUILDING && b * FLOORS_PER_BUILDING + f < count; f++) {
      const n = b * FLOORS_PER_BUILDING + f;
      floors.push({ id: `fl-${n}`, parentId: building.id, level: "floor" as const, name: `Floor ${f + 1}`, path: `${building.path}fl-${n}/`, createdAt: t0 });
      nodeRows.push({ id: nodeId(n), placeId: `fl-${n}`, online: false, firstSeenAt: t0, lastSeenAt: t0 });
    }
    await db.insert(places).values(floors);
    await db.insert(nodesTable).values(nodeRows);
  }
  let phones = 0;
  const personOf = new Map<string, number>();
  for (const { role, placeId } of [...scopes, { role: "community-office" as const, placeId: "cm-s" }, { role: "street-office" as const, placeId: "st-s" }]) {
    const person = await insertStaff(db, { name: `${role} ${placeId}`, role, phone: `+86139${String(phones++).padStart(8, "0")}` }, t0);
    await replaceScopes(db, person.id, [placeId]);
    personOf.set(placeId, person.id);
  }
  process.stderr.write(`bench: seeded ${count} nodes in ${buildings} buildings and ${scopes.length + 2} staff in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return personOf;
}

/** The people a fire on node `n` goes to first, as seeded: its building's lead, its compound's property staff, the community and street offices. */
export function firstTierOf(n: number, personOf: Map<string, number>): number[] {
  const building = Math.floor(n / FLOORS_PER_BUILDING);
  return [`bd-${building}`, `cp-${Math.floor(building / BUILDINGS_PER_COMPOUND)}`, "cm-s", "st-s"].map((place) => personOf.get(place)!);
}
