import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { nodes } from "../schema";

/**
 * Each elevator lock's current state, derived in the ingest's transaction from its newest state
 * event by (boot, seq) (node_events), so it only moves forward.
 */
export const elevators = sqliteTable("elevators", {
  nodeId: text("node_id")
    .primaryKey()
    .references(() => nodes.id),
  lock: text("lock").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  detector: text("detector").notNull(),
  override: integer("override", { mode: "boolean" }).notNull(),
  ebike: integer("ebike", { mode: "boolean" }).notNull(),
  lastEvent: text("last_event").notNull(),
  lastEventAt: integer("last_event_at").notNull(),
  /** How the most recent hold ended, and how long it lasted. */
  lastReleasedBy: text("last_released_by"),
  lastHoldMs: integer("last_hold_ms"),
  /** JSON counters of the most recent daily report. */
  lastCounts: text("last_counts"),
  bootId: integer("boot_id").notNull(),
  seq: integer("seq").notNull(),
});

/** Each capsule's current state, derived like an elevator's. */
export const capsules = sqliteTable("capsules", {
  nodeId: text("node_id")
    .primaryKey()
    .references(() => nodes.id),
  capsuleDoor: text("capsule_door").notNull(),
  aedCabinetDoor: text("aed_cabinet_door").notNull(),
  aed: text("aed").notNull(),
  temperatureC: real("temperature_c"),
  supplyV: real("supply_v"),
  display: text("display").notNull(),
  lastEvent: text("last_event").notNull(),
  lastEventAt: integer("last_event_at").notNull(),
  bootId: integer("boot_id").notNull(),
  seq: integer("seq").notNull(),
});

export const SUPPLY_CATEGORIES = ["fire", "rescue", "warning", "first-aid", "protection"] as const;
export type SupplyCategory = (typeof SUPPLY_CATEGORIES)[number];

/** What a capsule holds: extinguishers, ropes, whistles, AED pads and battery, masks … */
export const capsuleSupplies = sqliteTable(
  "capsule_supplies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    capsuleId: text("capsule_id")
      .notNull()
      .references(() => capsules.nodeId),
    item: text("item").notNull(),
    category: text("category", { enum: SUPPLY_CATEGORIES }).notNull(),
    quantity: integer("quantity").notNull(),
    /** Calendar date `YYYY-MM-DD`, or null for what does not expire. */
    expiresOn: text("expires_on"),
    note: text("note"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [index("capsule_supplies_capsule").on(table.capsuleId), index("capsule_supplies_expires").on(table.expiresOn)],
);
