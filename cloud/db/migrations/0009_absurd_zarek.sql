CREATE TABLE `rollup_progress` (
	`source` text PRIMARY KEY NOT NULL,
	`done_through_id` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `telemetry_1h` (
	`node_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`metric` text NOT NULL,
	`n` integer NOT NULL,
	`min` real NOT NULL,
	`max` real NOT NULL,
	`sum` real NOT NULL,
	PRIMARY KEY(`node_id`, `bucket`, `metric`)
);
--> statement-breakpoint
CREATE INDEX `telemetry_1h_bucket` ON `telemetry_1h` (`bucket`);--> statement-breakpoint
CREATE TABLE `telemetry_1m` (
	`node_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`metric` text NOT NULL,
	`n` integer NOT NULL,
	`min` real NOT NULL,
	`max` real NOT NULL,
	`sum` real NOT NULL,
	PRIMARY KEY(`node_id`, `bucket`, `metric`)
);
--> statement-breakpoint
CREATE INDEX `telemetry_1m_bucket` ON `telemetry_1m` (`bucket`);--> statement-breakpoint
ALTER TABLE `nodes` ADD `status_since` integer;--> statement-breakpoint
ALTER TABLE `nodes` ADD `rssi_dbm` integer;--> statement-breakpoint
ALTER TABLE `nodes` ADD `free_heap_bytes` integer;--> statement-breakpoint
ALTER TABLE `nodes` ADD `outbox_depth` integer;--> statement-breakpoint
CREATE INDEX `nodes_place` ON `nodes` (`place_id`);