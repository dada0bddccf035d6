-- Fails while rows by `maskinporten` exist: the audit log and the versions
-- are append-only, so they cannot be rewritten to fit the older checks.
ALTER TABLE audit_log
    DROP CONSTRAINT audit_log_actor_kind_check,
    ADD CONSTRAINT audit_log_actor_kind_check
        CHECK (actor_kind IN ('user', 'client', 'regulator', 'token_holder', 'system',
                              'anonymous'));

ALTER TABLE notification_versions
    DROP CONSTRAINT notification_versions_submitted_by_kind_check,
    ADD CONSTRAINT notification_versions_submitted_by_kind_check
        CHECK (submitted_by_kind IN ('user', 'client'));

ALTER TABLE notification_versions DROP COLUMN controller_verified;

ALTER TABLE organisations
    DROP CONSTRAINT organisations_name_check,
    DROP COLUMN verified_at,
    ADD CONSTRAINT organisations_name_check CHECK (name <> '');
