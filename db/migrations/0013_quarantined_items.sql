CREATE TABLE "quarantined_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"item_key" text NOT NULL,
	"external_id" text,
	"reason" text NOT NULL,
	"raw_item" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "consecutive_poll_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "quarantined_items" ADD CONSTRAINT "quarantined_items_account_id_social_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."social_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "quarantined_items_account_item_unique" ON "quarantined_items" USING btree ("account_id","item_key");--> statement-breakpoint
CREATE INDEX "quarantined_items_account_idx" ON "quarantined_items" USING btree ("account_id","created_at");