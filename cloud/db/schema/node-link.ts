import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * What nodes send besides alarms, each row once: (node, boot, seq) is unique in every table a
 * node writes, so a message replayed after a reconnect, a reboot or a cloud restart is an insert
 * that does nothing.
 */

/** Heartbeats, kept as history for a node's health chart. */
export const nodeHealth = sqliteTable(
  "node_health",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    nodeId: text("node_id").notNull(),
    bootId: integer("boot_id").notNull(),
    seq: integer("seq").notNull(),
    uptimeMs: integer("uptime_ms").notNull(),
    firmware: text("firmware").notNull(),
    freeHeapBytes: integer("free_heap_bytes"),
    minFreeHeapBytes: integer("min_free_heap_bytes"),
    rssiDbm: integer("rssi_dbm"),
    resetReason: text("reset_reason").notNull(),
    outboxDepth: integer("outbox_depth").notNull(),
    outboxAlarms: integer("outbox_alarms").notNull(),
    droppedTelemetry: integer("dropped_telemetry").notNull(),
    droppedEvents: integer("dropped_events").notNull(),
    droppedAlarms: integer("dropped_alarms").notNull(),
    /** JSON: sensor name → ok / fault / unknown. */
    sensors: text("sensors").notNull(),
    sensorFault: integer("sensor_fault", { mode: "boolean" }).notNull(),
    lastError: text("last_error"),
    receivedAt: integer("received_at").notNull(),
  },
  (table) => [
    uniqueIndex("node_health_node_boot_seq").on(table.nodeId, table.bootId, table.seq),
    index("node_health_node_received").on(table.nodeId, table.receivedAt),
  ],
);

/**
 * State events (booted, config applied, a hold ended, the AED removed …), QoS 1 through the
 * node's outbox: every node's history. Elevator and capsule events carry the device's state after
 * them; its current state (elevators, capsules) is derived from the newest of these by (boot, seq).
 */
export const nodeEvents = sqliteTable(
  "node_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    nodeId: text("node_id").notNull(),
    bootId: integer("boot_id").notNull(),
    seq: integer("seq").notNull(),
    nodeTimeMs: integer("node_time_ms").notNull(),
    name: text("name").notNull(),
    /** JSON object of small values, or null. */
    data: text("data"),
    /** JSON snapshot of an elevator's or capsule's state after the event; null for the link's own events. */
    state: text("state"),
    durationMs: integer("duration_ms"),
    releasedBy: text("released_by"),
    cause: text("cause"),
    receivedAt: integer("received_at").notNull(),
  },
  (table) => [
    uniqueIndex("node_events_node_boot_seq").on(table.nodeId, table.bootId, table.seq),
    index("node_events_node").on(table.nodeId, table.id),
    // The newest event of one name (the last hold-end, the last daily counts) without a scan.
    index("node_events_node_name").on(table.nodeId, table.name, table.bootId, table.seq),
  ],
);

/** Telemetry history. */
export const telemetry = sqliteTable(
  "telemetry",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    nodeId: text("node_id").notNull(),
    bootId: integer("boot_id").notNull(),
    seq: integer("seq").notNull(),
    nodeTimeMs: integer("node_time_ms").notNull(),
    /** JSON object: reading name → value. */
    readings: text("readings").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (table) => [uniqueIndex("telemetry_node_boot_seq").on(table.nodeId, table.bootId, table.seq)],
);

export const COMMAND_STATUSES = ["sent", "ok", "refused", "failed"] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** Commands sent to nodes and, once acked, their results. */
export const commands = sqliteTable(
  "commands",
  {
    id: text("id").primaryKey(),
    nodeId: text("node_id").notNull(),
    op: text("op").notNull(),
    /** JSON of the op's arguments. */
    args: text("args"),
    status: text("status", { enum: COMMAND_STATUSES }).notNull(),
    detail: text("detail"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    ackedAt: integer("acked_at"),
  },
  (table) => [index("commands_node").on(table.nodeId, table.createdAt)],
);
