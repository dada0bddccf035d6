ALTER TABLE refresh_tokens DROP COLUMN mfa_at;
DROP TABLE recovery_codes;
DROP TABLE totp_factors;
