-- An archived work type is no longer offered for new time; entries, invoices and reports keep it.
ALTER TABLE work_types ADD COLUMN archived_at TIMESTAMP;
