-- Events for pollers across organisations, and webhooks.
--
-- The regulators' stream reads every organisation's events in the order of
-- the transactions that wrote them: `txid` is the writing transaction's id,
-- `position` orders the events within it. A reader takes only events of
-- transactions below its snapshot's xmin, which have all ended: nothing can
-- appear later behind its cursor.
ALTER TABLE events ADD COLUMN position BIGSERIAL;
ALTER TABLE events
    ADD COLUMN txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX events_stream_idx ON events (txid, position);
CREATE INDEX events_organisation_stream_idx ON events (organisation_id, txid, position);

-- An organisation's endpoints. The signing secret is sealed under the
-- service's key (XChaCha20-Poly1305, bound to the endpoint's id); after a
-- rotation the previous one keeps signing beside it until
-- `previous_secret_until`. `event_types` NULL: every type.
CREATE TABLE webhook_endpoints (
    id                     UUID PRIMARY KEY,
    organisation_id        UUID NOT NULL REFERENCES organisations (id),
    url                    TEXT NOT NULL CHECK (length(url) <= 2000),
    description            TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    event_types            TEXT[] CHECK (cardinality(event_types) >= 1),
    enabled                BOOLEAN NOT NULL DEFAULT true,
    disabled_reason        TEXT CHECK (disabled_reason IN ('by_admin', 'gone', 'failing')),
    disabled_at            TIMESTAMPTZ,
    secret_sealed          BYTEA NOT NULL,
    previous_secret_sealed BYTEA,
    previous_secret_until  TIMESTAMPTZ,
    -- The first failure since the last success; NULL while all is well.
    failing_since          TIMESTAMPTZ,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL,
    CHECK (enabled = (disabled_reason IS NULL))
);
CREATE INDEX webhook_endpoints_organisation_idx
    ON webhook_endpoints (organisation_id, created_at, id);

-- One event for one endpoint. `message_id` is the `webhook-id`: the
-- event's id, or a test event's own. `failures` counts failed attempts
-- since it was last queued (the step of the retry schedule); `lease_until`
-- is set while a worker sends it: a worker that dies leaves a lease that
-- runs out, and the delivery is sent again.
CREATE TABLE webhook_deliveries (
    id              UUID PRIMARY KEY,
    endpoint_id     UUID NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        UUID REFERENCES events (id) ON DELETE CASCADE,
    message_id      UUID NOT NULL,
    event_type      TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_until     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    completed_at    TIMESTAMPTZ,
    CHECK ((event_id IS NULL) = (event_type = 'webhook.test'))
);
CREATE INDEX webhook_deliveries_due_idx
    ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx
    ON webhook_deliveries (endpoint_id, created_at, id);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);

-- What each attempt met: the status, how long it took, the start of the
-- answer, or the error when there was no answer.
CREATE TABLE webhook_attempts (
    id               UUID PRIMARY KEY,
    delivery_id      UUID NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at     TIMESTAMPTZ NOT NULL,
    duration_ms      INTEGER NOT NULL CHECK (duration_ms >= 0),
    status_code      INTEGER,
    response_excerpt TEXT,
    error            TEXT
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, attempted_at);
