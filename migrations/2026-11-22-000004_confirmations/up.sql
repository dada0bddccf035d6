-- Confirmation by e-mail, receipts, and the outbox of mail.

CREATE TABLE confirmation_tokens (
    id              UUID PRIMARY KEY,
    notification_id UUID NOT NULL REFERENCES notifications (id),
    -- SHA-256 of the token in the link; the token itself is only in the mail.
    token_hash      BYTEA NOT NULL CHECK (octet_length(token_hash) = 32),
    action          TEXT NOT NULL CHECK (action IN ('registration', 'amendment', 'withdrawal')),
    -- The version to confirm; none for a withdrawal.
    version         INTEGER,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ,
    revoked_at      TIMESTAMPTZ,
    -- The receipt its confirmation issued, shown again on the page behind the link.
    receipt_id      UUID,
    CONSTRAINT confirmation_tokens_hash_unique UNIQUE (token_hash),
    CHECK ((action = 'withdrawal') = (version IS NULL))
);
CREATE INDEX confirmation_tokens_notification_idx ON confirmation_tokens (notification_id);

CREATE TABLE receipts (
    id              UUID PRIMARY KEY,
    notification_id UUID NOT NULL REFERENCES notifications (id),
    number          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('registration', 're_registration', 'amendment', 'withdrawal')),
    -- What the receipt states, and the signed JWS of exactly that.
    content         JSONB NOT NULL,
    jws             TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    -- The order receipts were issued in.
    seq             BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX receipts_notification_idx ON receipts (notification_id, seq);

CREATE TRIGGER receipts_append_only
    BEFORE UPDATE OR DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Mail to send, written in the same transaction as the change that causes
-- it; a worker delivers it (at least once) and erases the body once sent.
CREATE TABLE outbox (
    id              UUID PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error      TEXT,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL;

-- The last expiry date a renewal reminder went out for, so that several
-- workers send it once.
ALTER TABLE notifications ADD COLUMN reminder_sent_for DATE;
