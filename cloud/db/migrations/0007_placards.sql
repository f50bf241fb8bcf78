CREATE TABLE `placards` (
	`code` text PRIMARY KEY NOT NULL,
	`place_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`place_id`) REFERENCES `places`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `placards_place` ON `placards` (`place_id`);--> statement-breakpoint
ALTER TABLE `resident_reports` ADD `category` text;