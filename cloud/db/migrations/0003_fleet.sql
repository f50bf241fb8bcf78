CREATE TABLE `batch_serials` (
	`batch_id` text NOT NULL,
	`serial` text NOT NULL,
	PRIMARY KEY(`batch_id`, `serial`),
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `batches` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`board` text NOT NULL,
	`max_devices` integer,
	`claim_secret_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`note` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `devices` (
	`serial` text PRIMARY KEY NOT NULL,
	`node_id` text NOT NULL,
	`batch_id` text NOT NULL,
	`kind` text NOT NULL,
	`board` text NOT NULL,
	`status` text NOT NULL,
	`credential_hash` text,
	`claim_pad_hash` text,
	`firmware` text,
	`claimed_at` integer NOT NULL,
	`released_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `devices_node_id_unique` ON `devices` (`node_id`);--> statement-breakpoint
CREATE INDEX `devices_batch` ON `devices` (`batch_id`);