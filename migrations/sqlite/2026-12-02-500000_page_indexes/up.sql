-- Open tickets are a small slice of all tickets (1,500 of 100,000 in the load demo). Partial indexes over that
-- slice, in the queues' default order (due first, tickets without a due instant last), let a queue page read its 25
-- rows straight from the index instead of joining and sorting every open ticket, and let the MSP dashboard count
-- open tickets from the index alone. The queries say `WHERE unresolved` (a partial index cannot be proven to cover
-- `unresolved = ?`).
CREATE INDEX tickets_msp_open ON tickets (msp_org_id, (sla_due_at IS NULL), sla_due_at, created_at, org_id) WHERE unresolved;
CREATE INDEX tickets_org_open ON tickets (org_id, (sla_due_at IS NULL), sla_due_at, created_at) WHERE unresolved;

-- The compliance dashboard's 90-day trend reads about 720 snapshot rows of one organization; the daily job writes
-- them interleaved with every other organization's, so reading them through the primary key visits a table page per
-- row. The trend's columns in an index make it one range scan.
CREATE INDEX compliance_snapshots_trend ON compliance_snapshots (org_id, day, framework_id, percent);
