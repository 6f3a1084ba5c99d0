ALTER TABLE "sync_runs" ADD COLUMN "requested_by" integer;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_runs_historical_idx" ON "sync_runs" USING btree ("kitchen_id","queued_at") WHERE "sync_runs"."kind" = 'historical';--> statement-breakpoint
CREATE INDEX "sync_runs_requested_by_idx" ON "sync_runs" USING btree ("requested_by") WHERE "sync_runs"."requested_by" is not null;