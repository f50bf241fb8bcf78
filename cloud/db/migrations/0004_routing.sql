CREATE TABLE `deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`channel` text NOT NULL,
	`staff_id` integer,
	`webhook_id` integer,
	`purpose` text NOT NULL,
	`tier` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`webhook_id`) REFERENCES `webhooks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `deliveries_incident` ON `deliveries` (`incident_id`);--> statement-breakpoint
CREATE INDEX `deliveries_status` ON `deliveries` (`status`);--> statement-breakpoint
CREATE TABLE `duty_shifts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`staff_id` integer NOT NULL,
	`days` integer NOT NULL,
	`start_minute` integer NOT NULL,
	`end_minute` integer NOT NULL,
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `duty_shifts_staff` ON `duty_shifts` (`staff_id`);--> statement-breakpoint
CREATE TABLE `incident_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`at` integer NOT NULL,
	`type` text NOT NULL,
	`actor` text NOT NULL,
	`detail` text,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `incident_events_incident` ON `incident_events` (`incident_id`,`at`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`hazard` text NOT NULL,
	`severity` text NOT NULL,
	`status` text NOT NULL,
	`open_key` text,
	`place_id` text,
	`place_path` text,
	`community_id` text,
	`node_id` text,
	`first_alarm_id` integer,
	`summary` text NOT NULL,
	`trigger_count` integer DEFAULT 1 NOT NULL,
	`source_cleared_at` integer,
	`auto_resolve_at` integer,
	`escalation_step` integer DEFAULT 0 NOT NULL,
	`next_escalation_at` integer,
	`reopened_count` integer DEFAULT 0 NOT NULL,
	`opened_at` integer NOT NULL,
	`last_trigger_at` integer NOT NULL,
	`first_notified_at` integer,
	`last_notified_at` integer,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	`dispatched_at` integer,
	`dispatched_by` text,
	`dispatched_to` text,
	`resolved_at` integer,
	`resolved_by` text,
	`recheck_due_at` integer,
	`recheck_assignee_id` integer,
	`recheck_notified_at` integer,
	`rechecked_at` integer,
	`rechecked_by` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`place_id`) REFERENCES `places`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recheck_assignee_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_open_key` ON `incidents` (`open_key`) WHERE "incidents"."open_key" is not null;--> statement-breakpoint
CREATE INDEX `incidents_place_path` ON `incidents` (`place_path`);--> statement-breakpoint
CREATE INDEX `incidents_community_opened` ON `incidents` (`community_id`,`opened_at`);--> statement-breakpoint
CREATE INDEX `incidents_next_escalation` ON `incidents` (`next_escalation_at`);--> statement-breakpoint
CREATE TABLE `place_locations` (
	`place_id` text PRIMARY KEY NOT NULL,
	`latitude` real NOT NULL,
	`longitude` real NOT NULL,
	FOREIGN KEY (`place_id`) REFERENCES `places`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `resident_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`incident_id` integer,
	`place_id` text,
	`latitude` real,
	`longitude` real,
	`description` text NOT NULL,
	`photo_file` text,
	`photo_type` text,
	`photo_bytes` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`place_id`) REFERENCES `places`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `resident_reports_token` ON `resident_reports` (`token_hash`);--> statement-breakpoint
CREATE TABLE `staff` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`phone` text,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `staff_scopes` (
	`staff_id` integer NOT NULL,
	`place_id` text NOT NULL,
	PRIMARY KEY(`staff_id`, `place_id`),
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`place_id`) REFERENCES `places`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`hazards` text,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `staff_id` integer REFERENCES staff(id);