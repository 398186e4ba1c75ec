CREATE TABLE "trust_domains" (
	"trust_id" uuid NOT NULL,
	"domain" text NOT NULL,
	"token" text NOT NULL,
	"claimed_by" uuid,
	"verified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "users_email_unique";--> statement-breakpoint
DROP INDEX "users_sso_unique";--> statement-breakpoint
ALTER TABLE "login_throttles" ADD COLUMN "notified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "trust_domains" ADD CONSTRAINT "trust_domains_trust_id_trusts_id_fk" FOREIGN KEY ("trust_id") REFERENCES "public"."trusts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trust_domains" ADD CONSTRAINT "trust_domains_claimed_by_users_id_fk" FOREIGN KEY ("claimed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "trust_domains_trust_domain_unique" ON "trust_domains" USING btree ("trust_id","domain");--> statement-breakpoint
CREATE UNIQUE INDEX "trust_domains_verified_unique" ON "trust_domains" USING btree ("domain") WHERE "trust_domains"."verified_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "users_trust_email_unique" ON "users" USING btree ("trust_id",lower("email"));--> statement-breakpoint
CREATE INDEX "users_email_idx" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "users_trust_sso_unique" ON "users" USING btree ("trust_id","sso_issuer","sso_subject");