-- An e-mail address is unique within an organisation (and among
-- regulators), not across the service: registering or adding a user with
-- an address that has an account elsewhere makes an account of its own,
-- so that no answer tells whether an address has an account anywhere.
ALTER TABLE users DROP CONSTRAINT users_email_unique;
CREATE UNIQUE INDEX users_email_in_organisation ON users (organisation_id, email)
    WHERE organisation_id IS NOT NULL;
CREATE UNIQUE INDEX users_email_of_regulators ON users (email)
    WHERE organisation_id IS NULL;
CREATE INDEX users_email_idx ON users (email);
