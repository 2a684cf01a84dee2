DROP TABLE api_keys;
DROP TABLE auditor_grants;
DROP TABLE sessions;
ALTER TABLE organizations DROP COLUMN portal_host;
ALTER TABLE invitations DROP CONSTRAINT invitations_role_known;
ALTER TABLE memberships DROP CONSTRAINT memberships_role_known;
ALTER TABLE organizations DROP CONSTRAINT organizations_msp_has_tier;
ALTER TABLE organizations DROP CONSTRAINT organizations_tier_known;
ALTER TABLE organizations DROP CONSTRAINT organizations_kind_known;
