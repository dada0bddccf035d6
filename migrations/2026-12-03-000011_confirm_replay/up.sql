-- The confirmation page shows its result again to the browser that
-- confirmed (a double click, a reload) for a short while. The key is kept
-- only sealed under a key derived from that browser's form cookie, which
-- the service does not store; the cookie's SHA-256 says which browser.
ALTER TABLE confirmation_tokens
    ADD COLUMN replay_cookie_hash bytea,
    ADD COLUMN replay_sealed_key bytea,
    ADD COLUMN replay_until timestamptz;
