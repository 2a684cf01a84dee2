-- The evidence item that stands for a campaign's signed acknowledgments on the controls its policies map to.
ALTER TABLE campaigns ADD COLUMN evidence_id TEXT REFERENCES evidence (id);
