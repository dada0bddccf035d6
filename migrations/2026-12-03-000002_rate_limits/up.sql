-- Fixed-window rate limits shared by every replica: how many times `key`
-- was used since `window_start`.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    used         INTEGER NOT NULL CHECK (used >= 0)
);
