-- A mail that can never go out (a permanent refusal, or too many attempts)
-- ends in a failed state instead of being retried for ever.
ALTER TABLE outbox ADD COLUMN failed_at timestamptz;
DROP INDEX outbox_due_idx;
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_failed_idx ON outbox (failed_at) WHERE failed_at IS NOT NULL;
