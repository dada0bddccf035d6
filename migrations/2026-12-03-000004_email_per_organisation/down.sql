DROP INDEX users_email_idx;
DROP INDEX users_email_of_regulators;
DROP INDEX users_email_in_organisation;
ALTER TABLE users ADD CONSTRAINT users_email_unique UNIQUE (email);
