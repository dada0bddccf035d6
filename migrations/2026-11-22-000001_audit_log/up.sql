-- The audit log: every state change, who made it, when, and in which request.
-- Append-only: rows can be added, never changed or removed, not even by the
-- service itself.

CREATE FUNCTION forbid_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TABLE audit_log (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    request_id      TEXT,
    actor_kind      TEXT NOT NULL
        CHECK (actor_kind IN ('user', 'client', 'regulator', 'token_holder', 'system', 'anonymous')),
    actor_id        UUID,
    organisation_id UUID,
    action          TEXT NOT NULL CHECK (action <> ''),
    subject         TEXT,
    details         JSONB NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_log_organisation_idx ON audit_log (organisation_id, occurred_at);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, occurred_at);

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
