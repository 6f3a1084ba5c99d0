ALTER TABLE "newbook_frequent_sync_settings" ADD COLUMN "has_connection" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "newbook_frequent_sync_settings" ADD COLUMN "health_rank" smallint GENERATED ALWAYS AS (case when not has_connection then 6
        when not is_enabled then 5 when consecutive_failures > 0 then 0
        when last_sync_status = 'running' then 3
        when last_sync_at is null then 2 else 4 end) STORED;--> statement-breakpoint
ALTER TABLE "newbook_frequent_sync_settings" ADD COLUMN "stale_from" timestamp with time zone GENERATED ALWAYS AS (greatest(last_success_at, created_at)) STORED;--> statement-breakpoint
CREATE INDEX "bookings_unpurged_departure_idx" ON "bookings" USING btree ("departure_date") WHERE "bookings"."personal_data_purged_at" is null;--> statement-breakpoint
CREATE INDEX "daily_occupancy_named_date_idx" ON "daily_occupancy" USING btree ("date") WHERE jsonb_path_exists("daily_occupancy"."room_breakdown", '$[*] ? (@.guestName != null)');--> statement-breakpoint
CREATE INDEX "kitchens_name_idx" ON "kitchens" USING btree (lower("name"),"id");--> statement-breakpoint
CREATE INDEX "settings_health_attention_idx" ON "newbook_frequent_sync_settings" USING btree ("health_rank","consecutive_failures" DESC NULLS FIRST,"last_success_at" NULLS FIRST,"kitchen_id");--> statement-breakpoint
CREATE INDEX "settings_health_last_success_idx" ON "newbook_frequent_sync_settings" USING btree ("last_success_at" NULLS FIRST,"kitchen_id");--> statement-breakpoint
CREATE INDEX "settings_health_next_sync_idx" ON "newbook_frequent_sync_settings" USING btree ("next_sync_at","kitchen_id");--> statement-breakpoint
CREATE INDEX "settings_health_failures_idx" ON "newbook_frequent_sync_settings" USING btree ("consecutive_failures" DESC NULLS FIRST,"kitchen_id");