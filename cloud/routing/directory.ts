import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { chatRobots, dutyShifts, places, pushSubscriptions, routingVersion, staff, staffScopes, webhooks, type StaffRole } from "../db/schema";
import type { StaffMember } from "../staff/queries";

type ChatRobotRow = typeof chatRobots.$inferSelect;
type WebhookRow = typeof webhooks.$inferSelect;

/** The people and channels routing reads, as they were at one version of the tables they come from. */
export interface RoutingSnapshot {
  readonly version: number;
  /** Active people of these roles with a scope at one of these places (as loadStaff's filter). */
  people(filter: { roles: readonly StaffRole[]; scopedAtAnyOf: readonly string[] }): StaffMember[];
  /** The active robots of the places a path runs through (as robotsOnPath). */
  robotsOnPath(path: string): ChatRobotRow[];
  /** Every active webhook (as activeWebhooks). */
  activeWebhooks(): WebhookRow[];
  /** Of these people, those with a browser subscribed to push. */
  pushSubscribed(staffIds: readonly number[]): number[];
}

/**
 * What routing reads about people and channels — staff with their scopes and shifts, chat
 * robots, webhooks, push subscriptions — kept in memory and read again only when it changed.
 *
 * Why: opening an incident read those tables afresh for every round, six statements of the
 * dozen an incident costs, each built by the ORM and prepared by the client (`npm run
 * bench:desk`: about 8 ms of one core per incident, most of it there), while they change a few
 * times a day. Whether they changed is one row: triggers (migration 0012) move
 * `routing_version` on every insert, update or delete of those tables and of a place's path,
 * whoever writes them (another instance, the CLI, the console), so a round never uses people
 * older than the last change committed before it began — as when it read them itself.
 */
export class RoutingDirectory {
  readonly #db: Db;
  /** The version's read, built once (it runs once per round and per change shown). */
  readonly #version;
  #snapshot: Promise<RoutingSnapshot> | undefined;
  #loadedVersion = -1;

  constructor(db: Db) {
    this.#db = db;
    this.#version = db.select({ version: routingVersion.version }).from(routingVersion).where(eq(routingVersion.id, 1)).prepare();
  }

  /** The tables as they are now: one statement when they did not change, a reload when they did. */
  async current(): Promise<RoutingSnapshot> {
    const [row] = await this.#version.all();
    const version = row?.version ?? 0;
    if (!this.#snapshot || version !== this.#loadedVersion) {
      this.#loadedVersion = version;
      const loading = load(this.#db, version);
      this.#snapshot = loading;
      // A failed load is not kept: the next round tries again.
      loading.catch(() => {
        if (this.#snapshot === loading) this.#snapshot = undefined;
      });
    }
    return this.#snapshot;
  }
}

async function load(db: Db, version: number): Promise<RoutingSnapshot> {
  const [people, scopes, shifts, robots, hooks, subscriptions] = await Promise.all([
    db.select().from(staff).where(eq(staff.active, true)).orderBy(staff.id),
    db.select({ staffId: staffScopes.staffId, placeId: staffScopes.placeId, path: places.path }).from(staffScopes).innerJoin(places, eq(places.id, staffScopes.placeId)),
    db.select().from(dutyShifts),
    db.select().from(chatRobots).where(eq(chatRobots.active, true)).orderBy(chatRobots.id),
    db.select().from(webhooks).where(eq(webhooks.active, true)),
    db.select({ staffId: pushSubscriptions.staffId }).from(pushSubscriptions),
  ]);
  const members: StaffMember[] = people.map((p) => ({ id: p.id, name: p.name, role: p.role, phone: p.phone, active: p.active, scopes: [], shifts: [] }));
  const byId = new Map(members.map((m) => [m.id, m]));
  for (const { staffId, placeId, path } of scopes) byId.get(staffId)?.scopes.push({ placeId, path });
  for (const { staffId, days, startMinute, endMinute } of shifts) byId.get(staffId)?.shifts.push({ days, startMinute, endMinute });
  const subscribed = new Set(subscriptions.map((s) => s.staffId));
  // Who is scoped at each place: a round asks about the few places on one path, and a scan of
  // every member for each grows with the staff (1,052 in bench:storm, where the directory's
  // functions took 43 ms of the loop in the wave's first 6 s, CPU profile).
  const scopedAt = new Map<string, StaffMember[]>();
  for (const member of members) {
    for (const placeId of new Set(member.scopes.map((scope) => scope.placeId))) {
      const here = scopedAt.get(placeId);
      if (here) here.push(member);
      else scopedAt.set(placeId, [member]);
    }
  }
  return {
    version,
    people: ({ roles, scopedAtAnyOf }) => {
      const found = new Set<StaffMember>();
      for (const placeId of scopedAtAnyOf) for (const member of scopedAt.get(placeId) ?? []) if (roles.includes(member.role)) found.add(member);
      // In the members' order (by id), as a scan of them all would give.
      return [...found].sort((a, b) => a.id - b.id);
    },
    robotsOnPath: (path) => {
      const on = new Set(path.split("/").filter(Boolean));
      return robots.filter((robot) => on.has(robot.placeId));
    },
    activeWebhooks: () => hooks,
    pushSubscribed: (staffIds) => staffIds.filter((id) => subscribed.has(id)),
  };
}
