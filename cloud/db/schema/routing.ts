import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { places } from "../schema";

/** The people who answer alarms, by what they do. */
export const STAFF_ROLES = [
  "grid-worker",
  "building-lead",
  "property-staff",
  "community-office",
  "street-office",
  "fire-liaison",
  "aed-volunteer",
] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A person who is notified and acts on incidents. Contact details are personal data: never logged. */
export const staff = sqliteTable("staff", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  role: text("role", { enum: STAFF_ROLES }).notNull(),
  /** E.164 number for the SMS/voice adapter; null when the person has none. */
  phone: text("phone"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  createdAt: integer("created_at").notNull(),
});

/**
 * One row: a number moved by triggers (migration 0012) whenever anything routing reads about
 * people and channels changes — staff, their scopes and shifts, webhooks, chat robots, push
 * subscriptions, a place's path — from any instance or connection. RoutingDirectory reads it
 * before each round and loads those tables again only when it moved.
 */
export const routingVersion = sqliteTable("routing_version", {
  id: integer("id").primaryKey(),
  version: integer("version").notNull(),
});

/** The places a person answers for; everything inside each place is in their scope. */
export const staffScopes = sqliteTable(
  "staff_scopes",
  {
    staffId: integer("staff_id")
      .notNull()
      .references(() => staff.id),
    placeId: text("place_id")
      .notNull()
      .references(() => places.id),
  },
  (table) => [primaryKey({ columns: [table.staffId, table.placeId] })],
);

/**
 * Weekly on-duty windows in the site's local time. `days` is a bit mask (bit 0 = Sunday);
 * a window whose end is before its start runs past midnight into the next day.
 * A person with no window at all is on duty at all times.
 */
export const dutyShifts = sqliteTable(
  "duty_shifts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    staffId: integer("staff_id")
      .notNull()
      .references(() => staff.id),
    days: integer("days").notNull(),
    startMinute: integer("start_minute").notNull(),
    endMinute: integer("end_minute").notNull(),
  },
  (table) => [index("duty_shifts_staff").on(table.staffId)],
);

export const HAZARDS = [
  "fire",
  "smoke-prealarm",
  "electrical",
  "ebike-blocked",
  "aed-removed",
  "capsule-door",
  "node-offline",
  "sensor-fault",
  "resident-report",
  "unclassified",
] as const;
export type Hazard = (typeof HAZARDS)[number];

/** open → acknowledged → dispatched → resolved → rechecked; a reopen goes back to open. */
export const INCIDENT_STATUSES = ["open", "acknowledged", "dispatched", "resolved", "rechecked"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * One hazard at one place, from first trigger to re-check. While it is not resolved, every new
 * trigger for the same (place, hazard) folds into it: `open_key` is set only then, and its unique
 * index is what makes two cloud instances agree on one incident.
 */
export const incidents = sqliteTable(
  "incidents",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    hazard: text("hazard", { enum: HAZARDS }).notNull(),
    severity: text("severity").notNull(),
    status: text("status", { enum: INCIDENT_STATUSES }).notNull(),
    /** `<place or node:id>|<hazard>` while unresolved, else null. */
    openKey: text("open_key"),
    /** Where, as the place hierarchy knows it; null for a node not yet assigned a place. */
    placeId: text("place_id").references(() => places.id),
    placePath: text("place_path"),
    communityId: text("community_id"),
    /** The node that first raised it, when a node did. */
    nodeId: text("node_id"),
    firstAlarmId: integer("first_alarm_id"),
    summary: text("summary").notNull(),
    triggerCount: integer("trigger_count").notNull().default(1),
    /** Set when the source reported normal; a fire-class incident still waits for a person. */
    sourceClearedAt: integer("source_cleared_at"),
    /** When a self-clearing hazard will be resolved if it stays clear (flap guard). */
    autoResolveAt: integer("auto_resolve_at"),
    escalationStep: integer("escalation_step").notNull().default(0),
    nextEscalationAt: integer("next_escalation_at"),
    reopenedCount: integer("reopened_count").notNull().default(0),
    openedAt: integer("opened_at").notNull(),
    lastTriggerAt: integer("last_trigger_at").notNull(),
    firstNotifiedAt: integer("first_notified_at"),
    lastNotifiedAt: integer("last_notified_at"),
    acknowledgedAt: integer("acknowledged_at"),
    acknowledgedBy: text("acknowledged_by"),
    dispatchedAt: integer("dispatched_at"),
    dispatchedBy: text("dispatched_by"),
    dispatchedTo: text("dispatched_to"),
    resolvedAt: integer("resolved_at"),
    resolvedBy: text("resolved_by"),
    recheckDueAt: integer("recheck_due_at"),
    recheckAssigneeId: integer("recheck_assignee_id").references(() => staff.id),
    recheckNotifiedAt: integer("recheck_notified_at"),
    recheckedAt: integer("rechecked_at"),
    recheckedBy: text("rechecked_by"),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [
    uniqueIndex("incidents_open_key").on(table.openKey).where(sql`${table.openKey} is not null`),
    index("incidents_place_path").on(table.placePath),
    index("incidents_community_opened").on(table.communityId, table.openedAt),
    index("incidents_next_escalation").on(table.nextEscalationAt),
  ],
);

/** Every step of an incident with who and when: triggers, notifications, escalations, actions. */
export const incidentEvents = sqliteTable(
  "incident_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id),
    at: integer("at").notNull(),
    type: text("type").notNull(),
    /** `system`, `admin:<tokenId>`, `staff:<staffId>` or `reporter`. */
    actor: text("actor").notNull(),
    /** JSON with what the step needs to be understood later. */
    detail: text("detail"),
  },
  (table) => [index("incident_events_incident").on(table.incidentId, table.at)],
);

/**
 * How a delivery travels: `console` (the person's open console), `push` (Web Push to a browser
 * they subscribed), `sms` and `voice` (a provider, to their phone), `chat` (a place's group-chat
 * robot), `webhook` (a system). `app` is the retired MQTT staff-app topic, kept for old rows.
 */
export const DELIVERY_CHANNELS = ["console", "push", "sms", "voice", "chat", "webhook", "app"] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
/**
 * pending → sent | retrying → … | failed. `sent` means a provider or a live stream took it (a
 * person can see it), never less. `no-listener`: nobody had the console open; `unreachable`: the
 * channel had no way to this person at all (no phone, no provider, no subscribed browser);
 * `calling`: a call was placed and its result (answered or not) is awaited from the provider.
 */
export const DELIVERY_STATUSES = ["pending", "calling", "sent", "no-listener", "unreachable", "retrying", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One message to one person (or one robot, or one webhook) on one channel, with how it went.
 * Written before the first attempt and updated after each, so a restarted cloud takes up every
 * row still pending or retrying (the instance holding its lease, or any once the lease ran out).
 */
export const deliveries = sqliteTable(
  "deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id),
    channel: text("channel", { enum: DELIVERY_CHANNELS }).notNull(),
    staffId: integer("staff_id").references(() => staff.id),
    webhookId: integer("webhook_id").references(() => webhooks.id),
    robotId: integer("robot_id"),
    /** notify, escalate, reopen, recheck-due, update */
    purpose: text("purpose").notNull(),
    tier: integer("tier").notNull(),
    /**
     * Which round this is for (`notify:0:r0`, `escalate:2:r1`, `dispatch:<ms>`): with the channel
     * and recipient it is unique, so a round taken up again after a crash adds no second message.
     */
    roundKey: text("round_key"),
    /** `staff:<id>`, `robot:<id>` or `webhook:<id>`. */
    recipient: text("recipient"),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** The adapter that carried it (`aliyun-sms`, `dingtalk-robot` …) and the provider's id for it (BizId, CallId). */
    provider: text("provider"),
    reference: text("reference"),
    /** When a retrying delivery is due again. */
    nextAttemptAt: integer("next_attempt_at"),
    /** The instance working it, and until when; after that any instance may take it up. */
    leaseOwner: text("lease_owner"),
    leaseUntil: integer("lease_until"),
    createdAt: integer("created_at").notNull(),
    completedAt: integer("completed_at"),
  },
  (table) => [
    index("deliveries_incident").on(table.incidentId),
    index("deliveries_status").on(table.status),
    uniqueIndex("deliveries_round").on(table.incidentId, table.roundKey, table.channel, table.recipient).where(sql`${table.roundKey} is not null`),
  ],
);

/**
 * Systems told about every incident (a property company's desk, a city platform). The secret
 * signs each body (HMAC-SHA256) and so must be kept readable; it is never returned after creation.
 */
export const webhooks = sqliteTable("webhooks", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  url: text("url").notNull(),
  secret: text("secret").notNull(),
  /** JSON array of hazards, or null for all. */
  hazards: text("hazards"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  createdAt: integer("created_at").notNull(),
});

/** A hazard a resident reported. The follow-up token is stored as a SHA-256 hash only. */
export const residentReports = sqliteTable(
  "resident_reports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull(),
    incidentId: integer("incident_id").references(() => incidents.id),
    placeId: text("place_id").references(() => places.id),
    latitude: real("latitude"),
    longitude: real("longitude"),
    description: text("description").notNull(),
    /** The quick choice the reporter tapped (REPORT_CATEGORIES), or null for an API caller's free text. */
    category: text("category"),
    /** Generated file name under DATA_DIR/reports; the client's own name is never used. */
    photoFile: text("photo_file"),
    photoType: text("photo_type"),
    photoBytes: integer("photo_bytes"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [uniqueIndex("resident_reports_token").on(table.tokenHash)],
);

/** Where a place is on the map (WGS 84), so a report by coordinates finds its place. */
export const placeLocations = sqliteTable("place_locations", {
  placeId: text("place_id")
    .primaryKey()
    .references(() => places.id),
  latitude: real("latitude").notNull(),
  longitude: real("longitude").notNull(),
});
