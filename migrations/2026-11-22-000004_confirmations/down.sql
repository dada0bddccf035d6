ALTER TABLE notifications DROP COLUMN reminder_sent_for;
DROP TABLE outbox;
DROP TABLE receipts;
DROP TABLE confirmation_tokens;
