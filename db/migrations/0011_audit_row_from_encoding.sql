-- An audit row's columns are read back from the canonical encoding its hash covers, instead of
-- being sent a second time beside it (0010 took both): the row cannot say anything its hash does
-- not, and a writer sends half as much. The encoding is parsed with prevHash and seq still open,
-- before the chain's head is locked, so the time the head is held does not grow.
CREATE OR REPLACE FUNCTION audit_append(entries jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  prepared jsonb[];
  e jsonb;
  h text;
  entry_rows jsonb[] := '{}';
  personal_rows jsonb[] := '{}';
BEGIN
  -- Before the lock: every entry's columns, from its own encoding.
  SELECT array_agg(
           jsonb_build_object('t', x.value->'t', 'p', x.value->'p', 'c', jsonb_build_object(
             'at', d->'at',
             'actor_type', d->'actorType',
             'actor_id', d->'actorId',
             'actor_label', d->'actorLabel',
             'school_id', d->'schoolId',
             'action', d->'action',
             'subject_type', d->'subjectType',
             'subject_id', d->'subjectId',
             'subject_label', d->'subjectLabel',
             'details', d->'details',
             'personal_data_hash', d->'personalDataHash',
             'request_id', d->'requestId'))
           ORDER BY x.n)
    INTO prepared
    FROM jsonb_array_elements(entries) WITH ORDINALITY AS x(value, n),
         -- OFFSET 0 keeps the parse a subquery of its own: flattened, it would run once per column.
         LATERAL (SELECT ((x.value->'t'->>0) || '""' || (x.value->'t'->>1) || '0' || (x.value->'t'->>2))::jsonb AS d
                  OFFSET 0) AS parsed;
  IF prepared IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit_head a WHERE a.id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_head is missing: run the migrations';
  END IF;
  FOREACH e IN ARRAY prepared LOOP
    head_seq := head_seq + 1;
    h := encode(sha256(convert_to(
      head_hash || E'\n' || (e->'t'->>0) || '"' || head_hash || '"' || (e->'t'->>1) || head_seq::text || (e->'t'->>2),
      'UTF8')), 'hex');
    entry_rows := entry_rows || ((e->'c') || jsonb_build_object('seq', head_seq, 'prev_hash', head_hash, 'hash', h));
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
