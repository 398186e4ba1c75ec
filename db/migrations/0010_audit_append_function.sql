-- Appends a batch of audit entries to the chain in one statement, so that the head row is locked
-- only for as long as Postgres takes to hash and insert them: no round trip to the application
-- happens while it is held. The application sends each entry's canonical encoding as a template
-- with prevHash and seq left open (services/audit/audit-hash.ts entryTemplate), its column values,
-- and its personal data; this fills in seq and prevHash and hashes exactly as hashEntry does:
-- SHA-256 of the previous hash, a newline and the canonical encoding, in hex.
CREATE OR REPLACE FUNCTION audit_append(entries jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  e jsonb;
  h text;
  entry_rows jsonb[] := '{}';
  personal_rows jsonb[] := '{}';
BEGIN
  SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit_head a WHERE a.id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_head is missing: run the migrations';
  END IF;
  FOR e IN SELECT x.value FROM jsonb_array_elements(entries) AS x LOOP
    head_seq := head_seq + 1;
    h := encode(sha256(convert_to(
      head_hash || E'\n' || (e->'t'->>0) || '"' || head_hash || '"' || (e->'t'->>1) || head_seq::text || (e->'t'->>2),
      'UTF8')), 'hex');
    entry_rows := entry_rows || ((e->'r') || jsonb_build_object('seq', head_seq, 'prev_hash', head_hash, 'hash', h));
    IF jsonb_typeof(e->'p') = 'object' THEN
      personal_rows := personal_rows || jsonb_build_object('seq', head_seq, 'content', e->'p');
    END IF;
    head_hash := h;
  END LOOP;
  INSERT INTO audit_entries SELECT * FROM jsonb_populate_recordset(null::audit_entries, to_jsonb(entry_rows));
  INSERT INTO audit_personal_data (seq, content)
    SELECT (p->>'seq')::bigint, p->'content' FROM unnest(personal_rows) AS p;
  UPDATE audit_head SET seq = head_seq, hash = head_hash WHERE id = 1;
  RETURN head_seq;
END;
$$;
--> statement-breakpoint
-- Writers do not call audit_append themselves: they add their entries to audit_pending, and a
-- deferred trigger chains everything the transaction added when it commits. The head is then
-- locked only from the COMMIT until the commit record is written, with no round trip to the
-- application in between, so concurrent writers queue on it for as short a time as possible.
-- A transaction sees only its own uncommitted pending rows, and every committed transaction has
-- chained and deleted its own, so "all pending rows" is "this transaction's".
CREATE TABLE audit_pending (
  id bigserial PRIMARY KEY,
  entries jsonb NOT NULL
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_chain_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  pending jsonb;
BEGIN
  WITH p AS (DELETE FROM audit_pending RETURNING id, entries)
  SELECT jsonb_agg(x.value ORDER BY p.id, x.n) INTO pending
  FROM p, jsonb_array_elements(p.entries) WITH ORDINALITY AS x(value, n);
  -- Later firings in the same transaction find the rows already chained.
  IF pending IS NOT NULL THEN
    PERFORM audit_append(pending);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER audit_pending_chain AFTER INSERT ON audit_pending
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain_pending();
