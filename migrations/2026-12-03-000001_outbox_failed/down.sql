DROP INDEX outbox_failed_idx;
DROP INDEX outbox_due_idx;
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL;
ALTER TABLE outbox DROP COLUMN failed_at;
