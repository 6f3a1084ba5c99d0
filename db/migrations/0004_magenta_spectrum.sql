CREATE TABLE "sync_run_daily" (
	"kitchen_id" integer NOT NULL,
	"day" date NOT NULL,
	"kind" varchar(16) NOT NULL,
	"runs" integer NOT NULL,
	"successes" integer NOT NULL,
	"failures" integer NOT NULL,
	"skipped" integer NOT NULL,
	"newbook_failures" integer NOT NULL,
	"duration_ms_sum" bigint NOT NULL,
	"duration_count" integer NOT NULL,
	"duration_ms_max" integer,
	"newbook_calls" bigint NOT NULL,
	"rows_changed" bigint NOT NULL,
	CONSTRAINT "sync_run_daily_kitchen_id_day_kind_pk" PRIMARY KEY("kitchen_id","day","kind")
);
--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "group_name" text;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "eta" varchar(5);--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "checked_in_at" text;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "guests" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "kitchen_notes" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "personal_data_purged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sync_run_daily" ADD CONSTRAINT "sync_run_daily_kitchen_id_kitchens_id_fk" FOREIGN KEY ("kitchen_id") REFERENCES "public"."kitchens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alerts_resolved_at_idx" ON "alerts" USING btree ("resolved_at") WHERE "alerts"."state" = 'resolved';--> statement-breakpoint
CREATE INDEX "bookings_departure_idx" ON "bookings" USING btree ("departure_date");--> statement-breakpoint
CREATE INDEX "sync_runs_queued_at_idx" ON "sync_runs" USING btree ("queued_at");