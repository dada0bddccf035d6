-- Whether a version names the submitting organisation itself as the
-- controller (its own identifier), or another organisation; and the back
-- office's mark on an organisation whose claim to its identifier is
-- disputed.
ALTER TABLE notification_versions
    ADD COLUMN controller_is_submitter BOOLEAN NOT NULL DEFAULT false;
UPDATE notification_versions v
SET controller_is_submitter =
        o.identifier_scheme = v.content #>> '{controller,identifier,scheme}'
    AND o.identifier_value = v.content #>> '{controller,identifier,value}'
FROM notifications n
JOIN organisations o ON o.id = n.organisation_id
WHERE n.id = v.notification_id;

ALTER TABLE organisations
    ADD COLUMN claim_disputed_at TIMESTAMPTZ,
    ADD COLUMN claim_dispute_note TEXT
        CHECK (claim_dispute_note IS NULL OR claim_disputed_at IS NOT NULL);
