CREATE TABLE `places` (
	`id` text PRIMARY KEY NOT NULL,
	`parent_id` text,
	`level` text NOT NULL,
	`name` text NOT NULL,
	`path` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`parent_id`) REFERENCES `places`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `places_parent` ON `places` (`parent_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `places_path` ON `places` (`path`);--> statement-breakpoint
ALTER TABLE `nodes` ADD `place_id` text REFERENCES places(id);