ALTER TABLE organisations DROP COLUMN claim_dispute_note, DROP COLUMN claim_disputed_at;
ALTER TABLE notification_versions DROP COLUMN controller_is_submitter;
