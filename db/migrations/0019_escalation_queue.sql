ALTER TABLE "escalations" ADD COLUMN "closed_by" uuid;--> statement-breakpoint
ALTER TABLE "escalations" ADD COLUMN "closing_note" text;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_closed_by_users_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "escalations_school_status_idx" ON "escalations" USING btree ("school_id","status","created_at");