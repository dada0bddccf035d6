DROP INDEX audit_log_occurred_idx;
DROP INDEX audit_log_action_idx;
DROP INDEX audit_log_actor_idx;
DROP INDEX audit_log_subject_idx;
DROP INDEX audit_log_organisation_idx;
CREATE INDEX audit_log_organisation_idx ON audit_log (organisation_id, occurred_at);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, occurred_at);

DROP TABLE audit_head;

ALTER TABLE audit_log
    DROP CONSTRAINT audit_log_hash_size,
    DROP COLUMN prev_hash,
    DROP COLUMN hash,
    ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
SELECT setval(pg_get_serial_sequence('audit_log', 'id'), COALESCE(max(id), 0) + 1, false)
FROM audit_log;

DROP FUNCTION audit_entry_hash;
