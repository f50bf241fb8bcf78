import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { dutyShifts, places, staff, staffScopes, type StaffRole } from "../db/schema";
import type { DutyWindow } from "./duty";

export type StaffRow = typeof staff.$inferSelect;

export interface StaffMember {
  id: number;
  name: string;
  role: StaffRole;
  phone: string | null;
  active: boolean;
  scopes: Array<{ placeId: string; path: string }>;
  shifts: DutyWindow[];
}

export class StaffError extends Error {
  override name = "StaffError";
}

export async function insertStaff(db: Db, person: { name: string; role: StaffRole; phone: string | null }, now: number): Promise<StaffRow> {
  const [row] = await db.insert(staff).values({ ...person, createdAt: now }).returning();
  return row;
}

/** Replaces a person's scope; every place must exist. */
export async function replaceScopes(db: Db, staffId: number, placeIds: string[]): Promise<void> {
  const unique = [...new Set(placeIds)];
  if (unique.length) {
    const found = await db.select({ id: places.id }).from(places).where(inArray(places.id, unique));
    const missing = unique.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) throw new StaffError(`no place ${missing.map((m) => `"${m}"`).join(", ")}`);
  }
  await db.batch([
    db.delete(staffScopes).where(eq(staffScopes.staffId, staffId)),
    ...unique.map((placeId) => db.insert(staffScopes).values({ staffId, placeId })),
  ] as unknown as Parameters<Db["batch"]>[0]);
}

export async function replaceShifts(db: Db, staffId: number, windows: DutyWindow[]): Promise<void> {
  await db.batch([
    db.delete(dutyShifts).where(eq(dutyShifts.staffId, staffId)),
    ...windows.map((w) => db.insert(dutyShifts).values({ staffId, ...w })),
  ] as unknown as Parameters<Db["batch"]>[0]);
}

/** People with their scopes and shifts; `roles` narrows to those roles, and only active people. */
export async function loadStaff(
  db: Db,
  filter: { ids?: number[]; roles?: readonly StaffRole[]; activeOnly?: boolean; scopedAtAnyOf?: string[] } = {},
): Promise<StaffMember[]> {
  const conditions = [];
  if (filter.scopedAtAnyOf) {
    // People with a scope at one of these places: for routing, the places on an incident's path.
    const ids = filter.scopedAtAnyOf.length ? filter.scopedAtAnyOf : ["-"];
    conditions.push(inArray(staff.id, db.select({ id: staffScopes.staffId }).from(staffScopes).where(inArray(staffScopes.placeId, ids))));
  }
  if (filter.ids) conditions.push(inArray(staff.id, filter.ids.length ? filter.ids : [-1]));
  if (filter.roles) conditions.push(inArray(staff.role, filter.roles.length ? [...filter.roles] : ["-"] as never));
  if (filter.activeOnly) conditions.push(eq(staff.active, true));
  const people = await db.select().from(staff).where(conditions.length ? and(...conditions) : undefined).orderBy(staff.id);
  if (!people.length) return [];
  const ids = people.map((p) => p.id);
  const [scopes, shifts] = await Promise.all([
    db
      .select({ staffId: staffScopes.staffId, placeId: staffScopes.placeId, path: places.path })
      .from(staffScopes)
      .innerJoin(places, eq(places.id, staffScopes.placeId))
      .where(inArray(staffScopes.staffId, ids)),
    db.select().from(dutyShifts).where(inArray(dutyShifts.staffId, ids)),
  ]);
  return people.map((p) => ({
    id: p.id,
    name: p.name,
    role: p.role,
    phone: p.phone,
    active: p.active,
    scopes: scopes.filter((s) => s.staffId === p.id).map(({ placeId, path }) => ({ placeId, path })),
    shifts: shifts.filter((s) => s.staffId === p.id).map(({ days, startMinute, endMinute }) => ({ days, startMinute, endMinute })),
  }));
}

export async function scopePathsOf(db: Db, staffId: number): Promise<string[]> {
  const rows = await db
    .select({ path: places.path })
    .from(staffScopes)
    .innerJoin(places, eq(places.id, staffScopes.placeId))
    .where(eq(staffScopes.staffId, staffId));
  return rows.map((r) => r.path);
}

/** Changes what is given of a person's name, role, phone and whether they are active. */
export async function updateStaff(db: Db, staffId: number, change: Partial<Pick<StaffRow, "name" | "role" | "phone" | "active">>): Promise<boolean> {
  const rows = await db.update(staff).set(change).where(eq(staff.id, staffId)).returning({ id: staff.id });
  return rows.length > 0;
}

/** A phone is personal data: stored for SMS and calls, shown to admins only as "has a phone". */
export async function setStaffPhone(db: Db, staffId: number, phone: string | null): Promise<void> {
  await db.update(staff).set({ phone }).where(eq(staff.id, staffId));
}
