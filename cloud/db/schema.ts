import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Every node the cloud has heard from, with what it last said about itself. */
export const nodes = sqliteTable("nodes", {
  id: text("id").primaryKey(),
  online: integer("online", { mode: "boolean" }).notNull().default(false),
  firmware: text("firmware"),
  bootId: integer("boot_id"),
  /** Latest telemetry readings as JSON. */
  readings: text("readings"),
  firstSeenAt: integer("first_seen_at").notNull(),
  lastSeenAt: integer("last_seen_at").notNull(),
});

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
  },
  (table) => [
    uniqueIndex("alarms_node_boot_seq").on(table.nodeId, table.bootId, table.seq),
    index("alarms_received_at").on(table.receivedAt),
  ],
);

/** API bearer tokens, stored as SHA-256 hashes only. */
export const apiTokens = sqliteTable("api_tokens", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  role: text("role").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  createdAt: integer("created_at").notNull(),
});
