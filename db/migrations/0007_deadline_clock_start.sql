ALTER TABLE "comments" ADD COLUMN "deadline_clock_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "activated_at" timestamp with time zone;