-- Organisations, their users and integration clients, regulators, refresh
-- tokens, and the throttle of failed attempts.

CREATE TABLE organisations (
    id                UUID PRIMARY KEY,
    name              TEXT NOT NULL CHECK (name <> ''),
    identifier_scheme TEXT NOT NULL
        CHECK (identifier_scheme IN ('no_orgnr', 'lei', 'eu_vat', 'euid', 'other')),
    identifier_value  TEXT NOT NULL CHECK (identifier_value <> ''),
    address           JSONB NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- One account per organisation number (or other identifier).
    CONSTRAINT organisations_identifier_unique UNIQUE (identifier_scheme, identifier_value)
);

CREATE TABLE users (
    id              UUID PRIMARY KEY,
    organisation_id UUID REFERENCES organisations (id) ON DELETE CASCADE,
    email           TEXT NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    -- An argon2id PHC string; never the password.
    password_hash   TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    role            TEXT NOT NULL CHECK (role IN ('admin', 'member', 'regulator')),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Regulators belong to no organisation; everyone else to exactly one.
    CONSTRAINT users_regulator_has_no_organisation
        CHECK ((role = 'regulator') = (organisation_id IS NULL)),
    CONSTRAINT users_email_unique UNIQUE (email)
);
CREATE INDEX users_organisation_idx ON users (organisation_id, created_at, id);

CREATE TABLE api_clients (
    id              UUID PRIMARY KEY,
    organisation_id UUID NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL CHECK (name <> ''),
    client_id       TEXT NOT NULL,
    -- SHA-256 of the random secret; the secret itself is shown once.
    secret_hash     BYTEA NOT NULL CHECK (octet_length(secret_hash) = 32),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at      TIMESTAMPTZ,
    CONSTRAINT api_clients_client_id_unique UNIQUE (client_id)
);
CREATE INDEX api_clients_organisation_idx ON api_clients (organisation_id, created_at, id);

CREATE TABLE refresh_tokens (
    id         UUID PRIMARY KEY,
    -- Every rotation of one login shares a family; reuse of a spent token
    -- revokes the whole family.
    family_id  UUID NOT NULL,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL CHECK (octet_length(token_hash) = 32),
    issued_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    CONSTRAINT refresh_tokens_hash_unique UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

-- Failed attempts per key (an account, a client address, a notification).
CREATE TABLE throttle (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    last_failure_at TIMESTAMPTZ NOT NULL,
    blocked_until   TIMESTAMPTZ
);
