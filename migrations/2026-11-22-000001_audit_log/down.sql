DROP TABLE audit_log;
DROP FUNCTION forbid_change();
