ALTER TABLE "responses" ADD COLUMN "removed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "removed_by" uuid;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "removed_reason" text;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "approval_reason" text;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "reply_policy" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "responses" ADD CONSTRAINT "responses_removed_by_users_id_fk" FOREIGN KEY ("removed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;