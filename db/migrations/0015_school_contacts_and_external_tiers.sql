ALTER TABLE "comments" ADD COLUMN "external_tiers" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "contact_details" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "trusts" ADD COLUMN "external_classification" jsonb DEFAULT '{}'::jsonb NOT NULL;