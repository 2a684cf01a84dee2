DROP INDEX compliance_snapshots_trend;
DROP INDEX tickets_org_open;
DROP INDEX tickets_msp_open;
