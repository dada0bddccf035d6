ALTER TABLE notification_versions DROP COLUMN confirmed_month;
ALTER TABLE notifications DROP COLUMN submitted_month;
DROP INDEX notifications_number_key_idx;
DROP INDEX notifications_expires_idx;
DROP INDEX notifications_created_idx;
DROP INDEX outbox_about_idx;
ALTER TABLE outbox DROP COLUMN about;
DROP TABLE case_notes;
DROP TABLE cases;
