ALTER TABLE "alerts" DROP CONSTRAINT "alerts_kind_check";--> statement-breakpoint
ALTER TABLE "newbook_frequent_sync_settings" ADD COLUMN "last_error_code" varchar(40);--> statement-breakpoint
ALTER TABLE "newbook_frequent_sync_settings" ADD COLUMN "busy_hours" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "newbook_frequent_sync_settings" ADD COLUMN "busy_interval_minutes" integer;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "retry_of" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_retry_of_key" ON "sync_runs" USING btree ("retry_of");--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_kind_check" CHECK ("alerts"."kind" in ('consecutive_failures', 'credentials_rejected', 'stale', 'slow_sync'));--> statement-breakpoint
ALTER TABLE "newbook_frequent_sync_settings" ADD CONSTRAINT "busy_interval_check" CHECK ("newbook_frequent_sync_settings"."busy_interval_minutes" is null or "newbook_frequent_sync_settings"."busy_interval_minutes" in (5, 10, 15, 30, 60));