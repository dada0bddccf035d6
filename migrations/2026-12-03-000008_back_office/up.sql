-- The back office: each notification's case (status and assignee, with a
-- revision for If-Match), append-only case notes, which notification a
-- mail is about, and the indexes the back office's lists sort by.

CREATE TABLE cases (
    notification_id UUID PRIMARY KEY REFERENCES notifications (id),
    case_status     TEXT NOT NULL DEFAULT 'new'
        CHECK (case_status IN ('new', 'in_review', 'needs_follow_up', 'closed')),
    -- A regulator account.
    assignee        UUID REFERENCES users (id),
    -- Bumped by every change; the case's ETag. A notification without a
    -- row is a new case at revision 0.
    revision        INTEGER NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    updated_by      UUID NOT NULL
);
CREATE INDEX cases_status_idx ON cases (case_status);
CREATE INDEX cases_assignee_idx ON cases (assignee) WHERE assignee IS NOT NULL;

CREATE TABLE case_notes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id UUID NOT NULL REFERENCES notifications (id),
    author          UUID NOT NULL REFERENCES users (id),
    text            TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 10000),
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_notes_notification_idx ON case_notes (notification_id, id);

CREATE TRIGGER case_notes_append_only
    BEFORE UPDATE OR DELETE ON case_notes
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER case_notes_no_truncate
    BEFORE TRUNCATE ON case_notes
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

-- The notification number a mail is about, where it is about one.
ALTER TABLE outbox ADD COLUMN about TEXT;
CREATE INDEX outbox_about_idx ON outbox (about, created_at) WHERE about IS NOT NULL;

-- The back office's sort orders, each with the id to break ties.
CREATE INDEX notifications_created_idx ON notifications (created_at, id);
CREATE INDEX notifications_expires_idx ON notifications ((COALESCE(expires_on, DATE '9999-12-31')), id);
CREATE INDEX notifications_number_key_idx ON notifications
    ((split_part(number, '-', 1)::bigint * 100000000 + split_part(number, '-', 2)::bigint), id);

-- The month (Norwegian time) of a submission and of a confirmation, kept
-- by the database, for the back office's counts per month.
ALTER TABLE notifications ADD COLUMN submitted_month DATE
    GENERATED ALWAYS AS ((date_trunc('month', timezone('Europe/Oslo', created_at)))::date) STORED;
ALTER TABLE notification_versions ADD COLUMN confirmed_month DATE
    GENERATED ALWAYS AS ((date_trunc('month', timezone('Europe/Oslo', confirmed_at)))::date) STORED;
