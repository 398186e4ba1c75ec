CREATE TABLE "notification_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"notification_id" uuid NOT NULL,
	"comment_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "saved_replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "urgency" smallint GENERATED ALWAYS AS (case when 'safeguarding' = any(categories) then 0 when labels @> '[{"category":"offensive","subcategory":"threat"}]'::jsonb then 1 else 2 end) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_items" ADD CONSTRAINT "notification_items_notification_id_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."notifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_items" ADD CONSTRAINT "notification_items_comment_id_comments_id_fk" FOREIGN KEY ("comment_id") REFERENCES "public"."comments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saved_replies" ADD CONSTRAINT "saved_replies_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saved_replies" ADD CONSTRAINT "saved_replies_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_items_unique" ON "notification_items" USING btree ("notification_id","comment_id");--> statement-breakpoint
CREATE INDEX "notification_items_comment_idx" ON "notification_items" USING btree ("comment_id");--> statement-breakpoint
CREATE INDEX "saved_replies_school_idx" ON "saved_replies" USING btree ("school_id","title");--> statement-breakpoint
CREATE INDEX "comments_inbox_urgency_idx" ON "comments" USING btree ("school_id","status","urgency","deadline_at","id");