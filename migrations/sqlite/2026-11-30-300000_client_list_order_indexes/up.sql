-- The MSP's client lists order by (name, id) and (last_activity_at, id): with id in the index the order comes from
-- the index and LIMIT stops the scan after one page, instead of sorting every client (and computing each one's
-- member count) before the page is cut.
DROP INDEX organizations_msp_name;
CREATE INDEX organizations_msp_name ON organizations (msp_org_id, archived_at, name, id);
DROP INDEX organizations_msp_activity;
CREATE INDEX organizations_msp_activity ON organizations (msp_org_id, archived_at, last_activity_at, id);
