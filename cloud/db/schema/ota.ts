import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Signed firmware images, stored content-addressed: the file is DATA_DIR/ota/images/<sha256>.bin. */
export const otaImages = sqliteTable(
  "ota_images",
  {
    sha256: text("sha256").primaryKey(),
    board: text("board").notNull(),
    kind: text("kind").notNull(),
    version: text("version").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    /** Ed25519 over shared/ota.ts releaseStatementText, hex. */
    signature: text("signature").notNull(),
    keyId: text("key_id").notNull(),
    /** "esp32-app" (starts 0xE9) or "sim" (the simulator's images). */
    format: text("format").notNull(),
    uploadedAt: integer("uploaded_at").notNull(),
    uploadedBy: text("uploaded_by").notNull(),
  },
  (table) => [uniqueIndex("ota_images_release").on(table.board, table.kind, table.version)],
);

/** What each node last said about its firmware, from its OTA reports: the facts campaigns target by. */
export const otaDevices = sqliteTable("ota_devices", {
  nodeId: text("node_id").primaryKey(),
  board: text("board").notNull(),
  kind: text("kind").notNull(),
  running: text("running").notNull(),
  state: text("state").notNull(),
  reportBoot: integer("report_boot").notNull(),
  reportT: integer("report_t").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const CAMPAIGN_STATUSES = ["running", "paused", "aborted", "completed"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** A staged rollout of one image to a set of nodes. */
export const otaCampaigns = sqliteTable("ota_campaigns", {
  id: text("id").primaryKey(),
  imageSha256: text("image_sha256")
    .notNull()
    .references(() => otaImages.sha256),
  /** JSON: { placeId?, fromVersion?, board, kind } as asked. */
  target: text("target").notNull(),
  /** JSON: cumulative percentages of the target per stage, ending at 100, e.g. [1, 10, 50, 100]. */
  stages: text("stages").notNull(),
  stageIndex: integer("stage_index").notNull(),
  stageStartedAt: integer("stage_started_at").notNull(),
  /** JSON: one entry per stage begun, with its start, end and outcome. */
  stageLog: text("stage_log").notNull(),
  /** A node offered the update must be healthy on it within this long, or it counts as failed. */
  nodeWindowMs: integer("node_window_ms").notNull(),
  /** Failed or rolled-back nodes, as a fraction of the nodes offered so far, above which the campaign pauses itself. */
  failureThreshold: real("failure_threshold").notNull(),
  /** Failures an operator accepted by resuming; only failures beyond these count against the threshold. */
  failuresForgiven: integer("failures_forgiven").notNull().default(0),
  status: text("status", { enum: CAMPAIGN_STATUSES }).notNull(),
  statusReason: text("status_reason"),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** One node's place and progress in one campaign. */
export const otaCampaignNodes = sqliteTable(
  "ota_campaign_nodes",
  {
    campaignId: text("campaign_id")
      .notNull()
      .references(() => otaCampaigns.id),
    nodeId: text("node_id").notNull(),
    stage: integer("stage").notNull(),
    /** "pending", a shared/ota.ts OtaState, "skipped" (busy all window) or "cancelled". */
    state: text("state").notNull(),
    progress: integer("progress").notNull().default(0),
    reason: text("reason"),
    offeredAt: integer("offered_at"),
    offerCount: integer("offer_count").notNull().default(0),
    /** When the node was last offered the update or heard from about it; re-offers key off this. */
    lastContactAt: integer("last_contact_at"),
    deadlineAt: integer("deadline_at"),
    reportBoot: integer("report_boot"),
    reportT: integer("report_t"),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.campaignId, table.nodeId] }), index("ota_campaign_nodes_node").on(table.nodeId)],
);
