ALTER TABLE `alarms` ADD `incident_pending` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `alarms_incident_pending` ON `alarms` (`id`) WHERE incident_pending = 1;