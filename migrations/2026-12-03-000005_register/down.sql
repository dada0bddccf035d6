DROP TABLE register_changes;
DROP TABLE register_entries;
