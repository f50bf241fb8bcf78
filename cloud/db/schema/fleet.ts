import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { NODE_KINDS } from "../../../shared/node-kinds";

/**
 * A batch of boards a maker flashes with one firmware build: one node kind, one board, one
 * claim secret. Either `maxDevices` caps how many may claim, or `batch_serials` lists which.
 */
export const batches = sqliteTable("batches", {
  id: text("id").primaryKey(),
  kind: text("kind", { enum: NODE_KINDS }).notNull(),
  board: text("board").notNull(),
  /** How many devices may claim under this batch; null when the batch lists its serials instead. */
  maxDevices: integer("max_devices"),
  /** SHA-256 of the claim secret, hex. The secret is 256 random bits, so a fast hash is enough. */
  claimSecretHash: text("claim_secret_hash").notNull(),
  /** No first claim after this instant (ms since epoch). */
  expiresAt: integer("expires_at").notNull(),
  note: text("note"),
  createdAt: integer("created_at").notNull(),
});

/** Serials a batch allows, when it lists them. */
export const batchSerials = sqliteTable(
  "batch_serials",
  {
    batchId: text("batch_id")
      .notNull()
      .references(() => batches.id),
    serial: text("serial").notNull(),
  },
  (table) => [primaryKey({ columns: [table.batchId, table.serial] })],
);

export const DEVICE_STATUSES = ["claimed", "released", "revoked"] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/**
 * Every device that has claimed an identity. `claimed`: it holds credentials; `released`: staff
 * let it claim again (after a factory reset), its old credentials are gone; `revoked`: cut off
 * for good.
 */
export const devices = sqliteTable(
  "devices",
  {
    serial: text("serial").primaryKey(),
    /** The node's id (its serial today). No foreign key: the node's row is made right after this one, by the claim. */
    nodeId: text("node_id").notNull().unique(),
    batchId: text("batch_id")
      .notNull()
      .references(() => batches.id),
    kind: text("kind", { enum: NODE_KINDS }).notNull(),
    board: text("board").notNull(),
    status: text("status", { enum: DEVICE_STATUSES }).notNull(),
    /** SHA-256 of the device's MQTT password, hex (256 random bits; see cloud/fleet/credentials.ts). */
    credentialHash: text("credential_hash"),
    /** SHA-256 of the pad of the claim that issued the credentials: the same pad again is a retry. */
    claimPadHash: text("claim_pad_hash"),
    firmware: text("firmware"),
    claimedAt: integer("claimed_at").notNull(),
    releasedAt: integer("released_at"),
    revokedAt: integer("revoked_at"),
  },
  (table) => [index("devices_batch").on(table.batchId)],
);
