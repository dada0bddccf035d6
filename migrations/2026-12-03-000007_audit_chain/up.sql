-- The audit log made tamper-evident: each entry carries the hash of the one
-- before it (`prev_hash`) and its own (`hash`), SHA-256 over the previous
-- hash and a canonical encoding of the entry's fields (audit_entry_hash).
-- Changing, removing or inserting an entry anywhere breaks the chain from
-- there on; `audit_head` holds the last entry's id and hash, so removing
-- entries from the end shows too.
--
-- Appends are serialised by a row lock on the one row of `audit_head`
-- (src/audit.rs), and ids come from it, so the chain's order is the order
-- of the ids and of the commits, without gaps.

-- The canonical encoding: a JSON array of the fields in this order, as
-- PostgreSQL writes jsonb (keys sorted, one space after `,` and `:`),
-- the time in UTC to the microsecond; in UTF-8, after the previous hash.
CREATE FUNCTION audit_entry_hash(
    id BIGINT,
    occurred_at TIMESTAMPTZ,
    request_id TEXT,
    actor_kind TEXT,
    actor_id UUID,
    organisation_id UUID,
    action TEXT,
    subject TEXT,
    details JSONB,
    prev_hash BYTEA
) RETURNS BYTEA
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sha256(prev_hash || convert_to(jsonb_build_array(
        id,
        to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        request_id,
        actor_kind,
        actor_id,
        organisation_id,
        action,
        subject,
        details
    )::text, 'UTF8'))
$$;

ALTER TABLE audit_log ADD COLUMN prev_hash BYTEA, ADD COLUMN hash BYTEA;

CREATE TABLE audit_head (
    singleton BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
    -- 0 and 32 zero bytes before the first entry.
    last_id   BIGINT NOT NULL,
    last_hash BYTEA NOT NULL CHECK (octet_length(last_hash) = 32)
);

-- Chain the entries there are, in the order of their ids.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DO $$
DECLARE
    entry RECORD;
    prev BYTEA := decode(repeat('00', 32), 'hex');
    last_seen BIGINT := 0;
BEGIN
    FOR entry IN SELECT * FROM audit_log ORDER BY id LOOP
        UPDATE audit_log
        SET prev_hash = prev,
            hash = audit_entry_hash(entry.id, entry.occurred_at, entry.request_id,
                entry.actor_kind, entry.actor_id, entry.organisation_id, entry.action,
                entry.subject, entry.details, prev)
        WHERE id = entry.id
        RETURNING hash INTO prev;
        last_seen := entry.id;
    END LOOP;
    INSERT INTO audit_head (last_id, last_hash) VALUES (last_seen, prev);
END
$$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;

ALTER TABLE audit_log
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN hash SET NOT NULL,
    ADD CONSTRAINT audit_log_hash_size
        CHECK (octet_length(prev_hash) = 32 AND octet_length(hash) = 32),
    -- Ids come from audit_head, under its lock.
    ALTER COLUMN id DROP IDENTITY;

CREATE TRIGGER audit_head_kept
    BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER audit_head_no_truncate
    BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

-- The back office's search, newest first under each filter.
DROP INDEX audit_log_organisation_idx;
DROP INDEX audit_log_subject_idx;
CREATE INDEX audit_log_organisation_idx ON audit_log (organisation_id, id);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_log_action_idx ON audit_log (action, id);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at);
