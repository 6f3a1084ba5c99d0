CREATE TABLE "alerts" (
	"id" serial PRIMARY KEY NOT NULL,
	"kitchen_id" integer NOT NULL,
	"kind" varchar(32) NOT NULL,
	"severity" varchar(16) NOT NULL,
	"state" varchar(16) DEFAULT 'open' NOT NULL,
	"message" text NOT NULL,
	"details" jsonb,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "alerts_kind_check" CHECK ("alerts"."kind" in ('consecutive_failures', 'stale', 'slow_sync')),
	CONSTRAINT "alerts_severity_check" CHECK ("alerts"."severity" in ('critical', 'warning')),
	CONSTRAINT "alerts_state_check" CHECK ("alerts"."state" in ('open', 'resolved'))
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kitchen_id" integer NOT NULL,
	"newbook_id" text NOT NULL,
	"group_id" text,
	"status" text NOT NULL,
	"arrival_date" date NOT NULL,
	"departure_date" date NOT NULL,
	"arrival_at" text,
	"departure_at" text,
	"adults" integer DEFAULT 0 NOT NULL,
	"children" integer DEFAULT 0 NOT NULL,
	"infants" integer DEFAULT 0 NOT NULL,
	"site_id" text,
	"site_name" text,
	"category_name" text,
	"guest_name" text,
	"items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"last_seen_run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "daily_occupancy" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kitchen_id" integer NOT NULL,
	"date" date NOT NULL,
	"rooms_available" integer,
	"rooms_occupied" integer DEFAULT 0 NOT NULL,
	"adults" integer DEFAULT 0 NOT NULL,
	"children" integer DEFAULT 0 NOT NULL,
	"infants" integer DEFAULT 0 NOT NULL,
	"arrivals" integer DEFAULT 0 NOT NULL,
	"arrival_guests" integer DEFAULT 0 NOT NULL,
	"departures" integer DEFAULT 0 NOT NULL,
	"departure_guests" integer DEFAULT 0 NOT NULL,
	"breakfast_covers" integer DEFAULT 0 NOT NULL,
	"dinner_covers" integer DEFAULT 0 NOT NULL,
	"room_breakdown" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"previous_figures" jsonb,
	"changed_at" timestamp with time zone,
	"source_run_id" uuid,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kitchens" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"timezone" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "newbook_connections" (
	"kitchen_id" integer PRIMARY KEY NOT NULL,
	"base_url" text DEFAULT 'https://api.newbook.cloud/rest' NOT NULL,
	"region" varchar(8) NOT NULL,
	"username" text NOT NULL,
	"password_enc" text NOT NULL,
	"api_key_enc" text NOT NULL,
	"breakfast_gl_account_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"dinner_gl_account_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"rooms_total" integer,
	"rooms_refreshed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "newbook_frequent_sync_settings" (
	"id" serial PRIMARY KEY NOT NULL,
	"kitchen_id" integer NOT NULL,
	"is_enabled" boolean DEFAULT true NOT NULL,
	"sync_interval_minutes" integer DEFAULT 15 NOT NULL,
	"days_ahead" integer DEFAULT 7 NOT NULL,
	"last_sync_at" timestamp with time zone,
	"last_sync_status" varchar(20),
	"last_error_message" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"last_success_at" timestamp with time zone,
	"next_sync_at" timestamp with time zone,
	"last_duration_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "newbook_frequent_sync_settings_kitchen_id_unique" UNIQUE("kitchen_id"),
	CONSTRAINT "sync_interval_check" CHECK ("newbook_frequent_sync_settings"."sync_interval_minutes" in (5, 10, 15, 30, 60)),
	CONSTRAINT "days_ahead_check" CHECK ("newbook_frequent_sync_settings"."days_ahead" between 1 and 30),
	CONSTRAINT "last_sync_status_check" CHECK ("newbook_frequent_sync_settings"."last_sync_status" is null or "newbook_frequent_sync_settings"."last_sync_status" in ('running', 'success', 'failed', 'skipped')),
	CONSTRAINT "consecutive_failures_check" CHECK ("newbook_frequent_sync_settings"."consecutive_failures" >= 0)
);
--> statement-breakpoint
CREATE TABLE "revenue_daily" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kitchen_id" integer NOT NULL,
	"date" date NOT NULL,
	"gl_account_id" text NOT NULL,
	"gl_account_code" text,
	"description" text,
	"gross" numeric(14, 2) NOT NULL,
	"net" numeric(14, 2) NOT NULL,
	"tax" numeric(14, 2) NOT NULL,
	"source_run_id" uuid,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kitchen_id" integer NOT NULL,
	"kind" varchar(16) NOT NULL,
	"trigger" varchar(32) NOT NULL,
	"status" varchar(16) DEFAULT 'queued' NOT NULL,
	"window_from" date NOT NULL,
	"window_to" date NOT NULL,
	"job_id" text,
	"attempt" integer DEFAULT 1 NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"newbook_calls" integer DEFAULT 0 NOT NULL,
	"bookings_fetched" integer DEFAULT 0 NOT NULL,
	"rows_changed" integer DEFAULT 0 NOT NULL,
	"db_ms" integer,
	"progress_done" integer DEFAULT 0 NOT NULL,
	"progress_total" integer DEFAULT 0 NOT NULL,
	"error_message" text,
	"error_code" varchar(40),
	CONSTRAINT "sync_runs_kind_check" CHECK ("sync_runs"."kind" in ('frequent', 'manual', 'historical')),
	CONSTRAINT "sync_runs_status_check" CHECK ("sync_runs"."status" in ('queued', 'running', 'success', 'failed', 'skipped')),
	CONSTRAINT "sync_runs_window_check" CHECK ("sync_runs"."window_from" <= "sync_runs"."window_to")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"kitchen_id" integer,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" varchar(16) DEFAULT 'manager' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_role_check" CHECK ("users"."role" in ('manager', 'admin')),
	CONSTRAINT "users_manager_has_kitchen" CHECK ("users"."role" = 'admin' or "users"."kitchen_id" is not null)
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_kitchen_id_kitchens_id_fk" FOREIGN KEY ("kitchen_id") REFERENCES "public"."kitchens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_kitchen_id_kitchens_id_fk" FOREIGN KEY ("kitchen_id") REFERENCES "public"."kitchens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "daily_occupancy" ADD CONSTRAINT "daily_occupancy_kitchen_id_kitchens_id_fk" FOREIGN KEY ("kitchen_id") REFERENCES "public"."kitchens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "newbook_connections" ADD CONSTRAINT "newbook_connections_kitchen_id_kitchens_id_fk" FOREIGN KEY ("kitchen_id") REFERENCES "public"."kitchens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "newbook_frequent_sync_settings" ADD CONSTRAINT "newbook_frequent_sync_settings_kitchen_id_kitchens_id_fk" FOREIGN KEY ("kitchen_id") REFERENCES "public"."kitchens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "revenue_daily" ADD CONSTRAINT "revenue_daily_kitchen_id_kitchens_id_fk" FOREIGN KEY ("kitchen_id") REFERENCES "public"."kitchens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_kitchen_id_kitchens_id_fk" FOREIGN KEY ("kitchen_id") REFERENCES "public"."kitchens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_kitchen_id_kitchens_id_fk" FOREIGN KEY ("kitchen_id") REFERENCES "public"."kitchens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_one_open_per_kind" ON "alerts" USING btree ("kitchen_id","kind") WHERE "alerts"."state" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "bookings_kitchen_newbook_id_key" ON "bookings" USING btree ("kitchen_id","newbook_id");--> statement-breakpoint
CREATE INDEX "bookings_kitchen_stay_idx" ON "bookings" USING btree ("kitchen_id","arrival_date","departure_date");--> statement-breakpoint
CREATE UNIQUE INDEX "daily_occupancy_kitchen_date_key" ON "daily_occupancy" USING btree ("kitchen_id","date");--> statement-breakpoint
CREATE UNIQUE INDEX "revenue_daily_kitchen_date_gl_key" ON "revenue_daily" USING btree ("kitchen_id","date","gl_account_id");--> statement-breakpoint
CREATE INDEX "sync_runs_kitchen_started_idx" ON "sync_runs" USING btree ("kitchen_id","queued_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree (lower("email"));