import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { places } from "../schema";
import { incidents, staff } from "./routing";

export const ROBOT_KINDS = ["wecom", "dingtalk", "feishu"] as const;

/**
 * A place's work group chat, reached through the group's robot: the community office's group, a
 * property company's. The webhook URL (WeCom's carries its key) and the signing secret are
 * credentials: kept readable because every post needs them, never returned by the API.
 */
export const chatRobots = sqliteTable(
  "chat_robots",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    placeId: text("place_id")
      .notNull()
      .references(() => places.id),
    kind: text("kind", { enum: ROBOT_KINDS }).notNull(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    secret: text("secret"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [index("chat_robots_place").on(table.placeId)],
);

export const ROUTING_GAP_REASONS = ["nobody-on-duty", "nobody-reachable", "every-delivery-failed"] as const;
export type RoutingGapReason = (typeof ROUTING_GAP_REASONS)[number];

/**
 * A notification round that reached nobody: nobody of the tier's roles on duty there, nobody with
 * a channel that can reach them, or every delivery refused. The incident moved on to its next
 * tier at once; the gap stays for the admin to mend (a roster, a phone number, a robot).
 */
export const routingGaps = sqliteTable(
  "routing_gaps",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id),
    hazard: text("hazard").notNull(),
    placeId: text("place_id"),
    placePath: text("place_path"),
    step: integer("step").notNull(),
    reason: text("reason", { enum: ROUTING_GAP_REASONS }).notNull(),
    /** JSON: the tier's roles and channels, and who was considered and why each could not be reached. */
    detail: text("detail").notNull(),
    at: integer("at").notNull(),
    /** When an admin marked it mended. */
    closedAt: integer("closed_at"),
    closedBy: text("closed_by"),
  },
  (table) => [index("routing_gaps_open").on(table.closedAt, table.at), uniqueIndex("routing_gaps_round").on(table.incidentId, table.step, table.at)],
);

/** A browser a staff member allowed to show notifications (Web Push, RFC 8030 / 8291 / 8292). */
export const pushSubscriptions = sqliteTable(
  "push_subscriptions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    staffId: integer("staff_id")
      .notNull()
      .references(() => staff.id),
    endpoint: text("endpoint").notNull(),
    /** The browser's P-256 public key and auth secret (base64url), to encrypt for it alone. */
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    createdAt: integer("created_at").notNull(),
    lastSentAt: integer("last_sent_at"),
  },
  (table) => [uniqueIndex("push_subscriptions_endpoint").on(table.endpoint), index("push_subscriptions_staff").on(table.staffId)],
);

/** Keys the cloud makes for itself once and keeps (the Web Push VAPID pair), shared by every instance. */
export const serviceKeys = sqliteTable("service_keys", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: integer("created_at").notNull(),
});
