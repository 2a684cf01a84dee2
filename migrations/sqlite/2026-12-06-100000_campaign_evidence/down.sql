ALTER TABLE campaigns DROP COLUMN evidence_id;
