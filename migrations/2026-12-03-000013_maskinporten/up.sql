-- Maskinporten (issue 18): an organisation that proved its organisation
-- number with a Maskinporten token is verified; a version whose controller
-- is the submitting organisation's proven number says so; such a system
-- submits and acts as `maskinporten`.
-- One registered on first use has no name until it gives one.
ALTER TABLE organisations
    ADD COLUMN verified_at TIMESTAMPTZ,
    DROP CONSTRAINT organisations_name_check,
    ADD CONSTRAINT organisations_name_check CHECK (name <> '' OR verified_at IS NOT NULL);

ALTER TABLE notification_versions
    ADD COLUMN controller_verified BOOLEAN NOT NULL DEFAULT false,
    ADD CHECK (NOT controller_verified OR controller_is_submitter);

ALTER TABLE notification_versions
    DROP CONSTRAINT notification_versions_submitted_by_kind_check,
    ADD CONSTRAINT notification_versions_submitted_by_kind_check
        CHECK (submitted_by_kind IN ('user', 'client', 'maskinporten'));

ALTER TABLE audit_log
    DROP CONSTRAINT audit_log_actor_kind_check,
    ADD CONSTRAINT audit_log_actor_kind_check
        CHECK (actor_kind IN ('user', 'client', 'regulator', 'token_holder', 'system',
                              'anonymous', 'maskinporten'));
