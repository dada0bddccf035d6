-- Notifications, their immutable versions, and idempotent creation.

-- Numbers are unique, not gap-free: year + a sequence across years.
CREATE SEQUENCE notification_number_seq;

CREATE TABLE notifications (
    id                 UUID PRIMARY KEY,
    number             TEXT NOT NULL CHECK (number ~ '^[0-9]{4}-[0-9]{6,8}$'),
    organisation_id    UUID NOT NULL REFERENCES organisations (id),
    status             TEXT NOT NULL CHECK (status IN (
        'awaiting_confirmation', 'registered', 'amendment_awaiting_confirmation',
        'withdrawal_awaiting_confirmation', 'withdrawn', 'lapsed', 'expired', 'renewed')),
    -- The confirmed version that is valid now; none before the first confirmation.
    registered_version INTEGER CHECK (registered_version >= 1),
    latest_version     INTEGER NOT NULL CHECK (latest_version >= 1),
    -- Whether a live version (registered or pending) is a patient journal.
    journal            BOOLEAN NOT NULL,
    -- HMAC-SHA256 of the notification key; set at the first confirmation.
    key_hash           BYTEA CHECK (octet_length(key_hash) = 32),
    -- Bumped by every change; the ETag.
    revision           INTEGER NOT NULL DEFAULT 1,
    -- What lists and filters show: the registered version, else the latest.
    law                TEXT NOT NULL,
    legal_ground       TEXT NOT NULL,
    sector             TEXT NOT NULL,
    purpose            TEXT NOT NULL,
    controller_name    TEXT NOT NULL,
    description        TEXT,
    start_date         DATE NOT NULL,
    previous_number    TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    registered_at      TIMESTAMPTZ,
    expires_on         DATE,
    CONSTRAINT notifications_number_unique UNIQUE (number),
    CONSTRAINT notifications_registered_not_after_latest
        CHECK (registered_version IS NULL OR registered_version <= latest_version)
);

-- One live patient journal per organisation (helseregisterloven: one
-- notification for the journal of the organisation).
CREATE UNIQUE INDEX notifications_one_journal_per_organisation
    ON notifications (organisation_id)
    WHERE journal AND status IN ('awaiting_confirmation', 'registered',
        'amendment_awaiting_confirmation', 'withdrawal_awaiting_confirmation');

CREATE INDEX notifications_organisation_idx ON notifications (organisation_id, created_at, id);

CREATE TABLE notification_versions (
    notification_id   UUID NOT NULL REFERENCES notifications (id),
    version           INTEGER NOT NULL CHECK (version >= 1),
    kind              TEXT NOT NULL CHECK (kind IN ('registration', 're_registration', 'amendment')),
    content           JSONB NOT NULL,
    content_digest    TEXT NOT NULL CHECK (content_digest ~ '^[0-9a-f]{64}$'),
    submitted_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    submitted_by_kind TEXT NOT NULL CHECK (submitted_by_kind IN ('user', 'client')),
    submitted_by      UUID NOT NULL,
    -- pending → confirmed; or superseded by a newer amendment; or lapsed.
    state             TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'superseded', 'lapsed')),
    confirmed_at      TIMESTAMPTZ,
    PRIMARY KEY (notification_id, version),
    CHECK ((state = 'confirmed') = (confirmed_at IS NOT NULL))
);

-- A stored version never changes: only its state moves on, once.
CREATE FUNCTION notification_versions_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'notification versions are immutable: DELETE is not allowed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.notification_id IS DISTINCT FROM OLD.notification_id
        OR NEW.version IS DISTINCT FROM OLD.version
        OR NEW.kind IS DISTINCT FROM OLD.kind
        OR NEW.content IS DISTINCT FROM OLD.content
        OR NEW.content_digest IS DISTINCT FROM OLD.content_digest
        OR NEW.submitted_at IS DISTINCT FROM OLD.submitted_at
        OR NEW.submitted_by_kind IS DISTINCT FROM OLD.submitted_by_kind
        OR NEW.submitted_by IS DISTINCT FROM OLD.submitted_by
    THEN
        RAISE EXCEPTION 'notification versions are immutable: only their state may change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.state <> 'pending' THEN
        RAISE EXCEPTION 'notification version % is % and final', OLD.version, OLD.state
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER notification_versions_immutable
    BEFORE UPDATE OR DELETE ON notification_versions
    FOR EACH ROW EXECUTE FUNCTION notification_versions_immutable();

CREATE TRIGGER notification_versions_no_truncate
    BEFORE TRUNCATE ON notification_versions
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

-- The first answer to a creating request, replayed for retries with the same key.
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash BYTEA NOT NULL,
    status       SMALLINT NOT NULL,
    location     TEXT,
    etag         TEXT,
    body         BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
