-- Steps that change stored data in ways SQL alone cannot (the service's
-- own folding of letters, say), run once by the service at start-up after
-- the schema's migrations, under the same advisory lock: a step whose name
-- is here is done.
CREATE TABLE data_migrations (
    name     TEXT PRIMARY KEY,
    rows     BIGINT NOT NULL CHECK (rows >= 0),
    done_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
