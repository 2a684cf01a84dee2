DROP INDEX risks_cells;
DROP INDEX risks_by_exposure;
DROP INDEX risks_by_inherent;
DROP INDEX risks_by_residual;
CREATE INDEX risks_inherent ON risks (org_id, inherent_score);
