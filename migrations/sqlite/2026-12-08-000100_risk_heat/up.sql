-- The register's heat maps and totals, kept per organization: for each map (inherent, residual) and cell, how
-- many risks that are not closed sit there and their annualized exposure. Every write to risks rebuilds its
-- organization's rows in the same transaction (compliance::risks::cells), so the register reads at most 50 rows
-- instead of grouping every risk on each view.
CREATE TABLE risk_heat (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    map TEXT NOT NULL CHECK (map IN ('inherent', 'residual')),
    likelihood INTEGER NOT NULL,
    impact INTEGER NOT NULL,
    risks BIGINT NOT NULL,
    eal_low_cents BIGINT NOT NULL,
    eal_high_cents BIGINT NOT NULL,
    PRIMARY KEY (org_id, map, likelihood, impact)
);
INSERT INTO risk_heat (org_id, map, likelihood, impact, risks, eal_low_cents, eal_high_cents)
SELECT org_id, 'inherent', inherent_likelihood, inherent_impact, COUNT(*), SUM(eal_low_cents), SUM(eal_high_cents)
FROM risks WHERE status <> 'closed' GROUP BY org_id, inherent_likelihood, inherent_impact;
INSERT INTO risk_heat (org_id, map, likelihood, impact, risks, eal_low_cents, eal_high_cents)
SELECT org_id, 'residual', residual_likelihood, residual_impact, COUNT(*), SUM(eal_low_cents), SUM(eal_high_cents)
FROM risks WHERE status <> 'closed' GROUP BY org_id, residual_likelihood, residual_impact;
-- Rebuilding an organization's rows groups its open risks by each map's cell from this index alone.
DROP INDEX risks_cells;
CREATE INDEX risks_inherent_cells ON risks (org_id, inherent_likelihood, inherent_impact, status, eal_low_cents, eal_high_cents);
CREATE INDEX risks_residual_cells ON risks (org_id, residual_likelihood, residual_impact, status, eal_low_cents, eal_high_cents);
