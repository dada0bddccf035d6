ALTER TABLE outbox
    DROP COLUMN attachment_name,
    DROP COLUMN attachment,
    DROP COLUMN html_body;
