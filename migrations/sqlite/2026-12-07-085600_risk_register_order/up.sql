-- The register lists risks by a score (descending), then title and id: these indexes hold that order, so a page
-- is read by walking one index and stopping after it instead of sorting every risk of the organization.
DROP INDEX risks_inherent;
CREATE INDEX risks_by_residual ON risks (org_id, residual_score DESC, title, id);
CREATE INDEX risks_by_inherent ON risks (org_id, inherent_score DESC, title, id);
CREATE INDEX risks_by_exposure ON risks (org_id, eal_high_cents DESC, title, id);
-- The heat maps and totals group every open risk by its two cells: read from this index alone, in group order.
CREATE INDEX risks_cells ON risks (org_id, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, status, eal_low_cents, eal_high_cents);
