CREATE TABLE `ota_campaign_nodes` (
	`campaign_id` text NOT NULL,
	`node_id` text NOT NULL,
	`stage` integer NOT NULL,
	`state` text NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`reason` text,
	`offered_at` integer,
	`offer_count` integer DEFAULT 0 NOT NULL,
	`last_contact_at` integer,
	`deadline_at` integer,
	`report_boot` integer,
	`report_t` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`campaign_id`, `node_id`),
	FOREIGN KEY (`campaign_id`) REFERENCES `ota_campaigns`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ota_campaign_nodes_node` ON `ota_campaign_nodes` (`node_id`);--> statement-breakpoint
CREATE TABLE `ota_campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`image_sha256` text NOT NULL,
	`target` text NOT NULL,
	`stages` text NOT NULL,
	`stage_index` integer NOT NULL,
	`stage_started_at` integer NOT NULL,
	`stage_log` text NOT NULL,
	`node_window_ms` integer NOT NULL,
	`failure_threshold` real NOT NULL,
	`failures_forgiven` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`status_reason` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`image_sha256`) REFERENCES `ota_images`(`sha256`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `ota_devices` (
	`node_id` text PRIMARY KEY NOT NULL,
	`board` text NOT NULL,
	`kind` text NOT NULL,
	`running` text NOT NULL,
	`state` text NOT NULL,
	`report_boot` integer NOT NULL,
	`report_t` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ota_images` (
	`sha256` text PRIMARY KEY NOT NULL,
	`board` text NOT NULL,
	`kind` text NOT NULL,
	`version` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`signature` text NOT NULL,
	`key_id` text NOT NULL,
	`format` text NOT NULL,
	`uploaded_at` integer NOT NULL,
	`uploaded_by` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ota_images_release` ON `ota_images` (`board`,`kind`,`version`);