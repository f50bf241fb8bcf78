import type { Hazard, PlaceLevel, StaffRole } from "../db/schema";

/**
 * Channels that reach one person: `console` (their open console's live stream), `push` (Web Push
 * to the browsers they allowed notifications on), `sms` and `voice` (to their phone). Webhooks
 * reach systems and are configured apart.
 */
export const PERSON_CHANNELS = ["console", "push", "sms", "voice"] as const;
export type PersonChannel = (typeof PERSON_CHANNELS)[number];
/**
 * What a tier may use: the people's own channels, and `chat`, the work group chats of the places
 * the incident is in (their robots post it, @-ing the tier's people).
 */
export type TierChannel = PersonChannel | "chat";
export const isPersonChannel = (channel: TierChannel): channel is PersonChannel => channel !== "chat";

/** "The <role> of the <level> the incident is in": the building lead of its building, the street office of its street. */
export interface Target {
  role: StaffRole;
  level: PlaceLevel;
}

export interface Tier {
  targets: Target[];
  channels: TierChannel[];
}

export interface HazardRule {
  /** tiers[0] at once; each unacknowledged timeout moves one tier on, the last repeating. */
  tiers: Tier[];
  /** A node reporting normal resolves the incident by itself (after the flap hold). */
  selfClearing: boolean;
  /** A re-check is scheduled and assigned when a person resolves it. */
  recheck: boolean;
}

const t = (role: StaffRole, level: PlaceLevel): Target => ({ role, level });
const buildingLead = t("building-lead", "building");
const property = t("property-staff", "compound");
const grid = t("grid-worker", "community");
const community = t("community-office", "community");
const street = t("street-office", "street");
const fireLiaison = t("fire-liaison", "street");
const aedVolunteer = t("aed-volunteer", "community");

/**
 * Who hears of what, and in which order. A fire reaches the building lead, property staff, grid
 * worker, community office and street office at once (the practice in the communities served:
 * street, community and property within the minute); an unanswered fire then goes to the fire
 * station liaison by voice. Lesser hazards start closer to the place and widen. Every round is
 * also posted in the work group chats of the places it is in (`chat`, @-ing that round's
 * people), where community staff already coordinate.
 */
export const HAZARD_RULES: Record<Hazard, HazardRule> = {
  fire: {
    tiers: [
      { targets: [buildingLead, property, grid, community, street], channels: ["console", "push", "sms", "chat"] },
      { targets: [fireLiaison, street, community], channels: ["console", "push", "voice", "chat"] },
      { targets: [fireLiaison, street], channels: ["voice", "sms", "chat"] },
    ],
    selfClearing: false,
    recheck: true,
  },
  "smoke-prealarm": {
    tiers: [
      { targets: [buildingLead, property], channels: ["console", "push", "chat"] },
      { targets: [grid, community], channels: ["console", "push", "sms", "chat"] },
      { targets: [street], channels: ["console", "push", "sms", "chat"] },
    ],
    selfClearing: false,
    recheck: true,
  },
  electrical: {
    tiers: [
      { targets: [property, buildingLead], channels: ["console", "push", "sms", "chat"] },
      { targets: [grid, community], channels: ["console", "push", "sms", "chat"] },
      { targets: [street], channels: ["console", "push", "voice", "chat"] },
    ],
    selfClearing: false,
    recheck: true,
  },
  "ebike-blocked": {
    tiers: [
      { targets: [property, buildingLead], channels: ["console", "push", "chat"] },
      { targets: [grid], channels: ["console", "push", "sms", "chat"] },
      { targets: [community], channels: ["console", "push", "chat"] },
    ],
    selfClearing: true,
    recheck: false,
  },
  "aed-removed": {
    tiers: [
      { targets: [aedVolunteer, property], channels: ["console", "push", "sms", "chat"] },
      { targets: [community, grid], channels: ["console", "push", "voice", "chat"] },
    ],
    selfClearing: true,
    recheck: false,
  },
  "capsule-door": {
    tiers: [
      { targets: [property], channels: ["console", "push", "chat"] },
      { targets: [grid], channels: ["console", "push", "chat"] },
      { targets: [community], channels: ["console", "push", "chat"] },
    ],
    selfClearing: true,
    recheck: false,
  },
  "node-offline": {
    tiers: [
      { targets: [property], channels: ["console", "push", "chat"] },
      { targets: [community], channels: ["console", "push", "chat"] },
    ],
    selfClearing: true,
    recheck: false,
  },
  "sensor-fault": {
    tiers: [
      { targets: [property], channels: ["console", "push", "chat"] },
      { targets: [community], channels: ["console", "push", "chat"] },
    ],
    selfClearing: true,
    recheck: true,
  },
  "resident-report": {
    tiers: [
      { targets: [grid, property, community], channels: ["console", "push", "chat"] },
      { targets: [street], channels: ["console", "push", "sms", "chat"] },
    ],
    selfClearing: false,
    recheck: true,
  },
  unclassified: {
    tiers: [
      { targets: [property, community], channels: ["console", "push", "chat"] },
      { targets: [street], channels: ["console", "push", "chat"] },
    ],
    selfClearing: true,
    recheck: false,
  },
};

export interface EscalationPolicy {
  /** How long an incident may stay unacknowledged before the next tier hears of it. */
  ackTimeoutMs: number;
  /** How many times it escalates before it stops (each step recorded). */
  maxEscalations: number;
}

/**
 * Severity shapes the rule: an urgent alarm adds a voice call to the first tier; an info-level
 * one goes to the first tier only and never escalates.
 */
export function ruleFor(hazard: Hazard, severity: string, defaults: EscalationPolicy): { tiers: Tier[]; policy: EscalationPolicy; rule: HazardRule } {
  const rule = HAZARD_RULES[hazard];
  let tiers = rule.tiers;
  if (severity === "urgent" && !tiers[0].channels.includes("voice")) {
    tiers = [{ ...tiers[0], channels: [...tiers[0].channels, "voice"] }, ...tiers.slice(1)];
  }
  const policy = severity === "info" ? { ...defaults, maxEscalations: 0 } : defaults;
  return { tiers, policy, rule };
}

/** The tier an escalation step notifies: step 0 is the first tier; past the last, the last repeats. */
export function tierAt(tiers: readonly Tier[], step: number): Tier {
  return tiers[Math.min(step, tiers.length - 1)];
}
