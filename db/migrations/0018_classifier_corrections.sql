CREATE TABLE "classifier_corrections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"comment_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"category" text NOT NULL,
	"subcategory" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"labels_before" jsonb NOT NULL,
	"classifier_version" text,
	"corrected_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"review_status" text DEFAULT 'pending' NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"review_note" text,
	"lexicon_entry_id" uuid,
	"example_expect" jsonb
);
--> statement-breakpoint
ALTER TABLE "classifier_corrections" ADD CONSTRAINT "classifier_corrections_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classifier_corrections" ADD CONSTRAINT "classifier_corrections_comment_id_comments_id_fk" FOREIGN KEY ("comment_id") REFERENCES "public"."comments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classifier_corrections" ADD CONSTRAINT "classifier_corrections_corrected_by_users_id_fk" FOREIGN KEY ("corrected_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classifier_corrections" ADD CONSTRAINT "classifier_corrections_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classifier_corrections" ADD CONSTRAINT "classifier_corrections_lexicon_entry_id_school_lexicon_entries_id_fk" FOREIGN KEY ("lexicon_entry_id") REFERENCES "public"."school_lexicon_entries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "classifier_corrections_review_idx" ON "classifier_corrections" USING btree ("school_id","review_status","created_at");--> statement-breakpoint
CREATE INDEX "classifier_corrections_comment_idx" ON "classifier_corrections" USING btree ("comment_id");