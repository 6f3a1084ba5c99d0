CREATE TABLE "booking_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kitchen_id" integer NOT NULL,
	"run_id" uuid NOT NULL,
	"synced_at" timestamp with time zone NOT NULL,
	"booking_id" text NOT NULL,
	"kind" varchar(16) NOT NULL,
	"room" text,
	"guest_name" text,
	"fields" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"deltas" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "booking_changes_kind_check" CHECK ("booking_changes"."kind" in ('added', 'cancelled', 'changed'))
);
--> statement-breakpoint
ALTER TABLE "booking_changes" ADD CONSTRAINT "booking_changes_kitchen_id_kitchens_id_fk" FOREIGN KEY ("kitchen_id") REFERENCES "public"."kitchens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_changes" ADD CONSTRAINT "booking_changes_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "booking_changes_kitchen_synced_idx" ON "booking_changes" USING btree ("kitchen_id","synced_at");--> statement-breakpoint
CREATE INDEX "booking_changes_run_idx" ON "booking_changes" USING btree ("run_id");