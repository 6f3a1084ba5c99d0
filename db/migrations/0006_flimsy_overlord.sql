CREATE TABLE "incidents" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" varchar(32) NOT NULL,
	"host" text NOT NULL,
	"region" varchar(8) NOT NULL,
	"error_code" varchar(40) NOT NULL,
	"state" varchar(16) DEFAULT 'open' NOT NULL,
	"message" text NOT NULL,
	"kitchen_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "incidents_kind_check" CHECK ("incidents"."kind" in ('newbook_outage')),
	CONSTRAINT "incidents_state_check" CHECK ("incidents"."state" in ('open', 'resolved'))
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "incident_id" integer;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "deactivated_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_one_open" ON "incidents" USING btree ("kind","host","region","error_code") WHERE "incidents"."state" = 'open';--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE set null ON UPDATE no action;