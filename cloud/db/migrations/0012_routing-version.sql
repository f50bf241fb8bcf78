CREATE TABLE `routing_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `routing_version` (`id`, `version`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `routing_version_staff_insert` AFTER INSERT ON `staff` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_staff_delete` AFTER DELETE ON `staff` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_staff_update` AFTER UPDATE ON `staff` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_staff_scopes_insert` AFTER INSERT ON `staff_scopes` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_staff_scopes_delete` AFTER DELETE ON `staff_scopes` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_staff_scopes_update` AFTER UPDATE ON `staff_scopes` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_duty_shifts_insert` AFTER INSERT ON `duty_shifts` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_duty_shifts_delete` AFTER DELETE ON `duty_shifts` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_duty_shifts_update` AFTER UPDATE ON `duty_shifts` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_webhooks_insert` AFTER INSERT ON `webhooks` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_webhooks_delete` AFTER DELETE ON `webhooks` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_webhooks_update` AFTER UPDATE ON `webhooks` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_chat_robots_insert` AFTER INSERT ON `chat_robots` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_chat_robots_delete` AFTER DELETE ON `chat_robots` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_chat_robots_update` AFTER UPDATE ON `chat_robots` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_push_subscriptions_insert` AFTER INSERT ON `push_subscriptions` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_push_subscriptions_delete` AFTER DELETE ON `push_subscriptions` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_push_subscriptions_update` AFTER UPDATE OF `staff_id`, `endpoint`, `p256dh`, `auth` ON `push_subscriptions` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_places_path` AFTER UPDATE OF `path` ON `places` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `routing_version_places_delete` AFTER DELETE ON `places` BEGIN UPDATE `routing_version` SET `version` = `version` + 1 WHERE `id` = 1; END;
