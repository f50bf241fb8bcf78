CREATE TABLE `commands` (
	`id` text PRIMARY KEY NOT NULL,
	`node_id` text NOT NULL,
	`op` text NOT NULL,
	`args` text,
	`status` text NOT NULL,
	`detail` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`acked_at` integer
);
--> statement-breakpoint
CREATE INDEX `commands_node` ON `commands` (`node_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `node_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`node_id` text NOT NULL,
	`boot_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`node_time_ms` integer NOT NULL,
	`name` text NOT NULL,
	`data` text,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `node_events_node_boot_seq` ON `node_events` (`node_id`,`boot_id`,`seq`);--> statement-breakpoint
CREATE INDEX `node_events_node` ON `node_events` (`node_id`,`id`);--> statement-breakpoint
CREATE TABLE `node_health` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`node_id` text NOT NULL,
	`boot_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`uptime_ms` integer NOT NULL,
	`firmware` text NOT NULL,
	`free_heap_bytes` integer,
	`min_free_heap_bytes` integer,
	`rssi_dbm` integer,
	`reset_reason` text NOT NULL,
	`outbox_depth` integer NOT NULL,
	`outbox_alarms` integer NOT NULL,
	`dropped_telemetry` integer NOT NULL,
	`dropped_events` integer NOT NULL,
	`dropped_alarms` integer NOT NULL,
	`sensors` text NOT NULL,
	`sensor_fault` integer NOT NULL,
	`last_error` text,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `node_health_node_boot_seq` ON `node_health` (`node_id`,`boot_id`,`seq`);--> statement-breakpoint
CREATE INDEX `node_health_node_received` ON `node_health` (`node_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `telemetry` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`node_id` text NOT NULL,
	`boot_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`node_time_ms` integer NOT NULL,
	`readings` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `telemetry_node_boot_seq` ON `telemetry` (`node_id`,`boot_id`,`seq`);--> statement-breakpoint
ALTER TABLE `nodes` ADD `kind` text;--> statement-breakpoint
ALTER TABLE `nodes` ADD `offline_reason` text;--> statement-breakpoint
ALTER TABLE `nodes` ADD `status_boot` integer;--> statement-breakpoint
ALTER TABLE `nodes` ADD `status_will_seq` integer;--> statement-breakpoint
ALTER TABLE `nodes` ADD `heartbeat_ms` integer;--> statement-breakpoint
ALTER TABLE `nodes` ADD `last_health_at` integer;--> statement-breakpoint
ALTER TABLE `nodes` ADD `health` text;--> statement-breakpoint
ALTER TABLE `nodes` ADD `health_boot` integer;--> statement-breakpoint
ALTER TABLE `nodes` ADD `health_seq` integer;--> statement-breakpoint
ALTER TABLE `nodes` ADD `sensor_fault` integer DEFAULT false NOT NULL;