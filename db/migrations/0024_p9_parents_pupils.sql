CREATE TABLE "author_marks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"author_external_id" text NOT NULL,
	"kind" text NOT NULL,
	"note" text,
	"marked_by" uuid NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"unmarked_by" uuid,
	"unmarked_at" timestamp with time zone,
	"unmark_reason" text
);
--> statement-breakpoint
CREATE TABLE "parent_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"comment_id" uuid NOT NULL,
	"contact" text NOT NULL,
	"notice_action_id" uuid,
	"state" text DEFAULT 'awaiting' NOT NULL,
	"requested_by" uuid NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"checked_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	"escalation_id" uuid
);
--> statement-breakpoint
ALTER TABLE "account_risks" ADD COLUMN "overdue_notified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "follow_up_overdue_notified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "school_people_settings" ADD COLUMN "behaviour_lead_id" uuid;--> statement-breakpoint
ALTER TABLE "author_marks" ADD CONSTRAINT "author_marks_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "author_marks" ADD CONSTRAINT "author_marks_account_id_social_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."social_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "author_marks" ADD CONSTRAINT "author_marks_marked_by_users_id_fk" FOREIGN KEY ("marked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "author_marks" ADD CONSTRAINT "author_marks_unmarked_by_users_id_fk" FOREIGN KEY ("unmarked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parent_requests" ADD CONSTRAINT "parent_requests_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parent_requests" ADD CONSTRAINT "parent_requests_account_id_social_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."social_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parent_requests" ADD CONSTRAINT "parent_requests_comment_id_comments_id_fk" FOREIGN KEY ("comment_id") REFERENCES "public"."comments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parent_requests" ADD CONSTRAINT "parent_requests_notice_action_id_moderation_actions_id_fk" FOREIGN KEY ("notice_action_id") REFERENCES "public"."moderation_actions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parent_requests" ADD CONSTRAINT "parent_requests_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parent_requests" ADD CONSTRAINT "parent_requests_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parent_requests" ADD CONSTRAINT "parent_requests_escalation_id_escalations_id_fk" FOREIGN KEY ("escalation_id") REFERENCES "public"."escalations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "author_marks_standing_unique" ON "author_marks" USING btree ("account_id","author_external_id","kind") WHERE "author_marks"."unmarked_at" is null;--> statement-breakpoint
CREATE INDEX "author_marks_school_idx" ON "author_marks" USING btree ("school_id");--> statement-breakpoint
CREATE UNIQUE INDEX "parent_requests_comment_unique" ON "parent_requests" USING btree ("comment_id");--> statement-breakpoint
CREATE INDEX "parent_requests_school_state_idx" ON "parent_requests" USING btree ("school_id","state");--> statement-breakpoint
CREATE INDEX "parent_requests_account_state_idx" ON "parent_requests" USING btree ("account_id","state");--> statement-breakpoint
ALTER TABLE "school_people_settings" ADD CONSTRAINT "school_people_settings_behaviour_lead_id_users_id_fk" FOREIGN KEY ("behaviour_lead_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;