DROP INDEX organizations_msp_name;
CREATE INDEX organizations_msp_name ON organizations (msp_org_id, archived_at, name);
DROP INDEX organizations_msp_activity;
CREATE INDEX organizations_msp_activity ON organizations (msp_org_id, archived_at, last_activity_at);
