CREATE TABLE "school_conduct_settings" (
	"school_id" uuid PRIMARY KEY NOT NULL,
	"headteacher_id" uuid,
	"media_deputy_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"dpo_user_id" uuid,
	"dpo_email" text,
	"harassment_count" integer DEFAULT 3 NOT NULL,
	"harassment_window_days" integer DEFAULT 7 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "escalations" ADD COLUMN "police_referral" text;--> statement-breakpoint
ALTER TABLE "school_conduct_settings" ADD CONSTRAINT "school_conduct_settings_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_conduct_settings" ADD CONSTRAINT "school_conduct_settings_headteacher_id_users_id_fk" FOREIGN KEY ("headteacher_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_conduct_settings" ADD CONSTRAINT "school_conduct_settings_dpo_user_id_users_id_fk" FOREIGN KEY ("dpo_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;