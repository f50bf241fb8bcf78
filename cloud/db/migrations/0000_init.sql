CREATE TABLE `alarms` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`node_id` text NOT NULL,
	`boot_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`node_time_ms` integer NOT NULL,
	`kind` text NOT NULL,
	`severity` text NOT NULL,
	`state` text NOT NULL,
	`value` real NOT NULL,
	`unit` text NOT NULL,
	`threshold` real NOT NULL,
	`evidence` text,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`node_id`) REFERENCES `nodes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alarms_node_boot_seq` ON `alarms` (`node_id`,`boot_id`,`seq`);--> statement-breakpoint
CREATE INDEX `alarms_received_at` ON `alarms` (`received_at`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`online` integer DEFAULT false NOT NULL,
	`firmware` text,
	`boot_id` integer,
	`readings` text,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
