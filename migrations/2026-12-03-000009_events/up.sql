-- Events: one for every change of a notification's state, written in the
-- transaction of the change, numbered per organisation without gaps (the
-- counter row is locked until the transaction ends, so an organisation's
-- events commit in the order of their numbers). No personal data.

CREATE TABLE event_counters (
    organisation_id UUID PRIMARY KEY REFERENCES organisations (id),
    last            BIGINT NOT NULL CHECK (last >= 1)
);

CREATE TABLE events (
    id              UUID PRIMARY KEY,
    organisation_id UUID NOT NULL REFERENCES organisations (id),
    sequence        BIGINT NOT NULL CHECK (sequence >= 1),
    type            TEXT NOT NULL CHECK (type IN (
        'notification.submitted', 'notification.registered', 'notification.withdrawn',
        'notification.lapsed', 'notification.expiring', 'notification.expired')),
    occurred_at     TIMESTAMPTZ NOT NULL,
    number          TEXT NOT NULL,
    data            JSONB NOT NULL,
    CONSTRAINT events_sequence_unique UNIQUE (organisation_id, sequence)
);
CREATE INDEX events_occurred_idx ON events (occurred_at);
