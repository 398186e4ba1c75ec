DROP INDEX "comments_platform_external_unique";--> statement-breakpoint
CREATE UNIQUE INDEX "comments_account_external_unique" ON "comments" USING btree ("account_id","external_id");