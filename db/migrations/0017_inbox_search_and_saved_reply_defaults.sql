-- Inbox search: substring match over author and text with trigrams (see search in list-inbox.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "comments_search_trgm_idx" ON "comments" USING gin ((author_handle || ' ' || author_name || ' ' || text) gin_trgm_ops);--> statement-breakpoint
-- A school's default saved replies: given to every school that exists now and to each new one.
CREATE OR REPLACE FUNCTION hm_seed_saved_replies(school uuid) RETURNS void LANGUAGE sql AS $$
  INSERT INTO saved_replies (school_id, title, body) VALUES
    (school, 'Thank you', 'Thank you for your comment. We are glad you enjoyed it and will pass your kind words on to the team.'),
    (school, 'Where to find information', 'Thank you for asking. You can find the details in the latest newsletter on our website, or the school office will be happy to help.'),
    (school, 'Take it offline', 'Thank you for getting in touch. We would like to talk about this properly: please contact the school office so we can arrange a time.'),
    (school, 'Complaints procedure', 'We are sorry to hear this. Please contact the school office, or use our complaints procedure on the school website, so we can look into it.');
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION hm_seed_saved_replies_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hm_seed_saved_replies(NEW.id);
  RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER schools_seed_saved_replies AFTER INSERT ON schools FOR EACH ROW EXECUTE FUNCTION hm_seed_saved_replies_trigger();--> statement-breakpoint
SELECT hm_seed_saved_replies(id) FROM schools;
