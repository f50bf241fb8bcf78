import { sql } from "drizzle-orm";
import { type AnySQLiteColumn, index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { staff } from "./schema/routing";

export * from "./schema/routing";


/** Levels of the place hierarchy, from the widest to the narrowest. */
export const PLACE_LEVELS = ["street", "community", "compound", "building", "floor", "elevator", "capsule"] as const;
export type PlaceLevel = (typeof PLACE_LEVELS)[number];

/**
 * The place hierarchy: street → community → compound → building → floor / elevator / capsule.
 * `path` is the chain of ids from the root, slash-separated and ending in a slash
 * (`st-1/cm-2/cp-3/`), so "everything inside this place" is one prefix match.
 */
export const places = sqliteTable(
  "places",
  {
    id: text("id").primaryKey(),
    parentId: text("parent_id").references((): AnySQLiteColumn => places.id),
    level: text("level", { enum: PLACE_LEVELS }).notNull(),
    name: text("name").notNull(),
    path: text("path").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [index("places_parent").on(table.parentId), uniqueIndex("places_path").on(table.path)],
);

/** Every node the cloud has heard from, with what it last said about itself. */
export const nodes = sqliteTable("nodes", {
  id: text("id").primaryKey(),
  /** Where the node is installed; null until staff assign it. */
  placeId: text("place_id").references(() => places.id),
  online: integer("online", { mode: "boolean" }).notNull().default(false),
  firmware: text("firmware"),
  bootId: integer("boot_id"),
  /** Latest telemetry readings as JSON. */
  readings: text("readings"),
  firstSeenAt: integer("first_seen_at").notNull(),
  lastSeenAt: integer("last_seen_at").notNull(),
  /** Node kind from its heartbeat: smoke, elevator, capsule. */
  kind: text("kind"),
  /** Why it is offline: `will` (its connection died) or `missed-heartbeats`; null while online. */
  offlineReason: text("offline_reason"),
  /** The connection the online flag speaks for: (boot, seq of that connection's will). */
  statusBoot: integer("status_boot"),
  statusWillSeq: integer("status_will_seq"),
  /** The heartbeat period the node announced; the liveness sweep allows several of these. */
  heartbeatMs: integer("heartbeat_ms"),
  lastHealthAt: integer("last_health_at"),
  /** The latest heartbeat as JSON, and its (boot, seq) so an older one never overwrites it. */
  health: text("health"),
  healthBoot: integer("health_boot"),
  healthSeq: integer("health_seq"),
  sensorFault: integer("sensor_fault", { mode: "boolean" }).notNull().default(false),
  /** When `online` last changed (ms epoch): "offline since 14:02". */
  statusSince: integer("status_since"),
  /** Copied from the latest heartbeat so the crews' list filters and sorts in SQL at 10,000 nodes. */
  rssiDbm: integer("rssi_dbm"),
  freeHeapBytes: integer("free_heap_bytes"),
  outboxDepth: integer("outbox_depth"),
}, (table) => [index("nodes_place").on(table.placeId)]);

/** Alarms as nodes raised and cleared them. (node, boot, seq) is unique: a replay is stored once. */
export const alarms = sqliteTable(
  "alarms",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    nodeId: text("node_id")
      .notNull()
      .references(() => nodes.id),
    bootId: integer("boot_id").notNull(),
    seq: integer("seq").notNull(),
    nodeTimeMs: integer("node_time_ms").notNull(),
    kind: text("kind").notNull(),
    severity: text("severity").notNull(),
    state: text("state").notNull(),
    value: real("value").notNull(),
    unit: text("unit").notNull(),
    threshold: real("threshold").notNull(),
    /** JSON array of the samples that led to the decision. */
    evidence: text("evidence"),
    receivedAt: integer("received_at").notNull(),
    /**
     * Set in the transaction that stores the alarm, cleared once the incident desk has handled it:
     * the hand-off from a stored alarm to its incident survives a crash between the two, and the
     * desk takes up what is still pending when it starts (cloud/incidents/desk.ts).
     */
    incidentPending: integer("incident_pending", { mode: "boolean" }).notNull().default(false),
  },
  (table) => [
    uniqueIndex("alarms_node_boot_seq").on(table.nodeId, table.bootId, table.seq),
    index("alarms_received_at").on(table.receivedAt),
    index("alarms_incident_pending").on(table.id).where(sql`incident_pending = 1`),
  ],
);

/** API bearer tokens, stored as SHA-256 hashes only. */
export const apiTokens = sqliteTable("api_tokens", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  role: text("role").notNull(),
  /** Set for a staff member's token: the person it acts as (role "staff"). */
  staffId: integer("staff_id").references(() => staff.id),
  tokenHash: text("token_hash").notNull().unique(),
  createdAt: integer("created_at").notNull(),
});

export * from "./schema/node-link";
export * from "./schema/fleet";
export * from "./schema/ota";
export * from "./schema/devices";
export * from "./schema/placards";
export * from "./schema/rollups";
export * from "./schema/console";
export * from "./schema/notify";
