import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { nodes } from "../schema";

/**
 * State events from elevator and capsule nodes, as they arrived: the history behind the current
 * state. (node, boot, seq) is unique, so a redelivered event is stored once.
 */
export const nodeEvents = sqliteTable(
  "node_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    nodeId: text("node_id")
      .notNull()
      .references(() => nodes.id),
    bootId: integer("boot_id").notNull(),
    seq: integer("seq").notNull(),
    nodeTimeMs: integer("node_time_ms").notNull(),
    /** `elevator` or `capsule`. */
    deviceKind: text("device_kind").notNull(),
    event: text("event").notNull(),
    releasedBy: text("released_by"),
    durationMs: integer("duration_ms"),
    cause: text("cause"),
    value: real("value"),
    unit: text("unit"),
    /** JSON object of counters (daily-counts). */
    counts: text("counts"),
    /** JSON snapshot of the node's state after the event. */
    state: text("state").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (table) => [uniqueIndex("node_events_node_boot_seq").on(table.nodeId, table.bootId, table.seq), index("node_events_node_id").on(table.nodeId, table.id)],
);

/** Each elevator lock's current state: the snapshot of its newest event by (boot, seq). */
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

/** Each capsule's current state. */
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

/** Nodes' answers to commands (`…/ack`). */
export const commandAcks = sqliteTable(
  "command_acks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    nodeId: text("node_id")
      .notNull()
      .references(() => nodes.id),
    bootId: integer("boot_id").notNull(),
    seq: integer("seq").notNull(),
    commandId: text("command_id").notNull(),
    command: text("command").notNull(),
    ok: integer("ok", { mode: "boolean" }).notNull(),
    detail: text("detail").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (table) => [uniqueIndex("command_acks_node_boot_seq").on(table.nodeId, table.bootId, table.seq), index("command_acks_command").on(table.nodeId, table.commandId)],
);
