CREATE TABLE `capsule_supplies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`capsule_id` text NOT NULL,
	`item` text NOT NULL,
	`category` text NOT NULL,
	`quantity` integer NOT NULL,
	`expires_on` text,
	`note` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`capsule_id`) REFERENCES `capsules`(`node_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `capsule_supplies_capsule` ON `capsule_supplies` (`capsule_id`);--> statement-breakpoint
CREATE INDEX `capsule_supplies_expires` ON `capsule_supplies` (`expires_on`);--> statement-breakpoint
CREATE TABLE `capsules` (
	`node_id` text PRIMARY KEY NOT NULL,
	`capsule_door` text NOT NULL,
	`aed_cabinet_door` text NOT NULL,
	`aed` text NOT NULL,
	`temperature_c` real,
	`supply_v` real,
	`display` text NOT NULL,
	`last_event` text NOT NULL,
	`last_event_at` integer NOT NULL,
	`boot_id` integer NOT NULL,
	`seq` integer NOT NULL,
	FOREIGN KEY (`node_id`) REFERENCES `nodes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `elevators` (
	`node_id` text PRIMARY KEY NOT NULL,
	`lock` text NOT NULL,
	`enabled` integer NOT NULL,
	`detector` text NOT NULL,
	`override` integer NOT NULL,
	`ebike` integer NOT NULL,
	`last_event` text NOT NULL,
	`last_event_at` integer NOT NULL,
	`last_released_by` text,
	`last_hold_ms` integer,
	`last_counts` text,
	`boot_id` integer NOT NULL,
	`seq` integer NOT NULL,
	FOREIGN KEY (`node_id`) REFERENCES `nodes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `node_events` ADD `state` text;--> statement-breakpoint
ALTER TABLE `node_events` ADD `duration_ms` integer;--> statement-breakpoint
ALTER TABLE `node_events` ADD `released_by` text;--> statement-breakpoint
ALTER TABLE `node_events` ADD `cause` text;--> statement-breakpoint
CREATE INDEX `node_events_node_name` ON `node_events` (`node_id`,`name`,`boot_id`,`seq`);