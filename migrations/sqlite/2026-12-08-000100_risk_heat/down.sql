DROP TABLE risk_heat;
DROP INDEX risks_inherent_cells;
DROP INDEX risks_residual_cells;
CREATE INDEX risks_cells ON risks (org_id, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, status, eal_low_cents, eal_high_cents);
