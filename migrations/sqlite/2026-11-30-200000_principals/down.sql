DROP TABLE api_keys;
DROP TABLE auditor_grants;
DROP TABLE sessions;
ALTER TABLE organizations DROP COLUMN portal_host;
