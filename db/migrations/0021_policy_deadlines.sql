CREATE TABLE "retention_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"counts" jsonb NOT NULL,
	"cutoffs" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "untriaged_days" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"day" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "answered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "follow_up_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "contact_person" text;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "holding" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "holding_reply_template" text DEFAULT 'Thank you for your message. We have seen it and will reply in full as soon as we can.' NOT NULL;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "follow_up_working_days" integer DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "closure_monitor_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "retention" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "retention_runs" ADD CONSTRAINT "retention_runs_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "untriaged_days" ADD CONSTRAINT "untriaged_days_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "untriaged_days" ADD CONSTRAINT "untriaged_days_account_id_social_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."social_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "retention_runs_school_idx" ON "retention_runs" USING btree ("school_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "untriaged_days_account_day_unique" ON "untriaged_days" USING btree ("account_id","day");--> statement-breakpoint
-- P2 report bug: a comment closed by a hide or delete was left without a first response, so the
-- report counted it a breach once its deadline passed. Moderation that handled it is its response.
UPDATE "comments" c SET "first_response_at" = c."resolved_at"
WHERE c."status" = 'closed' AND c."first_response_at" IS NULL AND c."resolved_at" IS NOT NULL
  AND EXISTS (SELECT 1 FROM "moderation_actions" m WHERE m."comment_id" = c."id"
    AND m."kind" IN ('hide', 'delete') AND m."status" = 'succeeded');--> statement-breakpoint
-- Comments answered before this change: answered when first responded, unless every response they
-- had was an acknowledgement (which posted nothing): those wait in the follow-up queue.
UPDATE "comments" c SET "answered_at" = c."first_response_at"
WHERE c."first_response_at" IS NOT NULL AND (c."status" = 'closed' OR EXISTS (
  SELECT 1 FROM "responses" r WHERE r."comment_id" = c."id" AND r."kind" <> 'acknowledgement'
    AND r."status" IN ('recorded', 'sent')));--> statement-breakpoint
UPDATE "comments" SET "follow_up_due_at" = "first_response_at" + interval '7 days'
WHERE "first_response_at" IS NOT NULL AND "answered_at" IS NULL AND "status" = 'responded';--> statement-breakpoint
CREATE INDEX "comments_follow_up_idx" ON "comments" ("school_id", "follow_up_due_at") WHERE "status" = 'responded' AND "answered_at" IS NULL;
