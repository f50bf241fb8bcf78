CREATE TABLE `chat_robots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`place_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`secret` text,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`place_id`) REFERENCES `places`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `chat_robots_place` ON `chat_robots` (`place_id`);--> statement-breakpoint
CREATE TABLE `push_subscriptions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`staff_id` integer NOT NULL,
	`endpoint` text NOT NULL,
	`p256dh` text NOT NULL,
	`auth` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_sent_at` integer,
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `push_subscriptions_endpoint` ON `push_subscriptions` (`endpoint`);--> statement-breakpoint
CREATE INDEX `push_subscriptions_staff` ON `push_subscriptions` (`staff_id`);--> statement-breakpoint
CREATE TABLE `routing_gaps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`hazard` text NOT NULL,
	`place_id` text,
	`place_path` text,
	`step` integer NOT NULL,
	`reason` text NOT NULL,
	`detail` text NOT NULL,
	`at` integer NOT NULL,
	`closed_at` integer,
	`closed_by` text,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `routing_gaps_open` ON `routing_gaps` (`closed_at`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `routing_gaps_round` ON `routing_gaps` (`incident_id`,`step`,`at`);--> statement-breakpoint
CREATE TABLE `service_keys` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `deliveries` ADD `robot_id` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `round_key` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `recipient` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `provider` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `reference` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `next_attempt_at` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `lease_owner` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `lease_until` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_round` ON `deliveries` (`incident_id`,`round_key`,`channel`,`recipient`) WHERE "deliveries"."round_key" is not null;