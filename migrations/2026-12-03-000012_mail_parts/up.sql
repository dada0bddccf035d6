-- Mail goes out as plain text and HTML (multipart/alternative), and the
-- receipt's mail carries the receipt as a PDF. Like the body, both are
-- erased once the mail is sent or given up.
ALTER TABLE outbox
    ADD COLUMN html_body text,
    ADD COLUMN attachment bytea,
    ADD COLUMN attachment_name text;
