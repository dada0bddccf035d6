ALTER TABLE confirmation_tokens
    DROP COLUMN replay_until,
    DROP COLUMN replay_sealed_key,
    DROP COLUMN replay_cookie_hash;
