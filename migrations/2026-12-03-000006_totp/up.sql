-- The second factor of users: a TOTP secret (RFC 6238), sealed under the
-- service's key, with the last time step a code was accepted for; the
-- single-use recovery codes, as hashes; and the time of the check that a
-- refresh token's sign-in made, so that rotating it does not make it newer.

CREATE TABLE totp_factors (
    user_id       UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- XChaCha20-Poly1305 under MELDEPLIKT_TOTP_KEY, bound to the user:
    -- a 24-byte nonce, then the sealed 20-byte secret and its 16-byte tag.
    secret_sealed BYTEA NOT NULL CHECK (octet_length(secret_sealed) = 60),
    created_at    TIMESTAMPTZ NOT NULL,
    -- Set by the first code accepted (or at once, from the command line);
    -- until then sign-in does not ask for the factor.
    confirmed_at  TIMESTAMPTZ,
    -- A code is accepted only for a later time step than this one.
    last_step     BIGINT CHECK (last_step >= 0)
);

CREATE TABLE recovery_codes (
    user_id   UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the code as typed without its hyphens (120 random bits).
    code_hash BYTEA NOT NULL CHECK (octet_length(code_hash) = 32),
    used_at   TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

ALTER TABLE refresh_tokens ADD COLUMN mfa_at TIMESTAMPTZ;
