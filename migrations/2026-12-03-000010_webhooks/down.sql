DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP INDEX events_organisation_stream_idx;
DROP INDEX events_stream_idx;
ALTER TABLE events DROP COLUMN txid;
ALTER TABLE events DROP COLUMN position;
