import type { Db } from "../db/client";
import type { Place } from "../places/queries";
import { isOnDuty } from "../staff/duty";
import { loadStaff, type StaffMember } from "../staff/queries";
import type { RoutingSnapshot } from "./directory";
import { placesOnPath } from "./queries";
import { isPersonChannel, type PersonChannel, type Tier } from "./rules";

export interface Recipient {
  staff: StaffMember;
  channels: PersonChannel[];
}

/**
 * The people one tier reaches for an incident at `placePath`: for each target (role at level),
 * everyone of that role, active and on duty now, whose scope holds the incident's place at that
 * level. A person matched twice is notified once. `known`: the path's places and the people as
 * the caller has them already (the desk: the chain it opened the incident with, and the
 * RoutingDirectory's snapshot); what is not given is read.
 */
export async function chooseRecipients(
  db: Db,
  placePath: string | null,
  tier: Tier,
  atMs: number,
  utcOffsetMinutes: number,
  known: { chain?: readonly Place[]; directory?: RoutingSnapshot } = {},
): Promise<Recipient[]> {
  if (placePath === null || tier.targets.length === 0) return [];
  // A scope holds the incident's place only if the scope's place lies on the incident's path,
  // so only people scoped at one of those few places are wanted.
  const filter = { roles: [...new Set(tier.targets.map((t) => t.role))], scopedAtAnyOf: placePath.split("/").filter(Boolean) };
  const [chain, people] = await Promise.all([
    known.chain ?? placesOnPath(db, placePath),
    known.directory ? known.directory.people(filter) : loadStaff(db, { ...filter, activeOnly: true }),
  ]);
  return pickRecipients(chain, placePath, people, tier, atMs, utcOffsetMinutes);
}

export function pickRecipients(chain: readonly Place[], placePath: string, people: readonly StaffMember[], tier: Tier, atMs: number, utcOffsetMinutes: number): Recipient[] {
  const chosen = new Map<number, Recipient>();
  for (const target of tier.targets) {
    // A place above the target's level (a report for a whole community) is its own anchor.
    const anchor = chain.find((p) => p.level === target.level)?.path ?? placePath;
    for (const person of people) {
      if (chosen.has(person.id) || person.role !== target.role || !person.active) continue;
      if (!person.scopes.some((scope) => anchor.startsWith(scope.path))) continue;
      if (!isOnDuty(person.shifts, atMs, utcOffsetMinutes)) continue;
      chosen.set(person.id, { staff: person, channels: tier.channels.filter(isPersonChannel) });
    }
  }
  return [...chosen.values()];
}
