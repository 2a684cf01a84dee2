ALTER TABLE work_types DROP COLUMN archived_at;
