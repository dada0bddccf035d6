DROP TABLE idempotency_keys;
DROP TABLE notification_versions;
DROP FUNCTION notification_versions_immutable();
DROP TABLE notifications;
DROP SEQUENCE notification_number_seq;
