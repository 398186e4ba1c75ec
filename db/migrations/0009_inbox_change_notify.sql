-- Announces which schools' comments changed, on channel hm_inbox_changed, when the transaction
-- commits: the API keeps rendered inbox pages in memory and drops a school's pages on this
-- signal (services/comments/inbox-page-cache.ts). One notification per statement, not per row;
-- the payload is the distinct school ids, comma-separated, or '*' when that would not fit.
CREATE OR REPLACE FUNCTION comments_notify_inbox() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  schools text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    schools := '*';
  ELSIF TG_OP = 'DELETE' THEN
    SELECT string_agg(DISTINCT school_id::text, ',') INTO schools FROM old_rows;
  ELSE
    SELECT string_agg(DISTINCT school_id::text, ',') INTO schools FROM new_rows;
  END IF;
  IF schools IS NOT NULL THEN
    PERFORM pg_notify('hm_inbox_changed', CASE WHEN length(schools) > 7900 THEN '*' ELSE schools END);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER comments_inbox_insert AFTER INSERT ON comments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION comments_notify_inbox();
--> statement-breakpoint
CREATE TRIGGER comments_inbox_update AFTER UPDATE ON comments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION comments_notify_inbox();
--> statement-breakpoint
CREATE TRIGGER comments_inbox_delete AFTER DELETE ON comments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION comments_notify_inbox();
--> statement-breakpoint
CREATE TRIGGER comments_inbox_truncate AFTER TRUNCATE ON comments
  FOR EACH STATEMENT EXECUTE FUNCTION comments_notify_inbox();
--> statement-breakpoint
-- Inbox items carry the account's handle.
CREATE OR REPLACE FUNCTION social_accounts_notify_inbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hm_inbox_changed', CASE WHEN OLD.school_id = NEW.school_id
    THEN NEW.school_id::text ELSE OLD.school_id::text || ',' || NEW.school_id::text END);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER social_accounts_inbox_handle AFTER UPDATE OF handle, school_id ON social_accounts
  FOR EACH ROW WHEN (OLD.handle IS DISTINCT FROM NEW.handle OR OLD.school_id IS DISTINCT FROM NEW.school_id)
  EXECUTE FUNCTION social_accounts_notify_inbox();
