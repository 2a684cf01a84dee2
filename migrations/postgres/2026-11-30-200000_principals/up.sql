-- Principals and typed tenancy: server-side session records, auditor grants and API keys; the text enums
-- (organization kinds, tiers, roles) constrained to the values the application knows.

ALTER TABLE organizations ADD CONSTRAINT organizations_kind_known CHECK (kind IN ('msp', 'client', 'solo'));
ALTER TABLE organizations ADD CONSTRAINT organizations_tier_known CHECK (tier IN ('T1', 'T2', 'T3'));
ALTER TABLE organizations ADD CONSTRAINT organizations_msp_has_tier CHECK ((msp_org_id IS NULL) = (tier IS NULL));
-- The host name the client's end-user portal answers on (besides /portal/{slug}), when it has one.
ALTER TABLE organizations ADD COLUMN portal_host TEXT UNIQUE;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_known CHECK (role IN ('ADMIN', 'COMPLIANCE_ADMIN',
    'COMPLIANCE_OFFICER', 'PRIVACY_OFFICER', 'SECURITY_OFFICER', 'EMPLOYEE', 'READ_ONLY', 'MSP_ADMIN',
    'MSP_TECHNICIAN', 'PORTAL_USER'));
ALTER TABLE invitations ADD CONSTRAINT invitations_role_known CHECK (role IN ('ADMIN', 'COMPLIANCE_ADMIN',
    'COMPLIANCE_OFFICER', 'PRIVACY_OFFICER', 'SECURITY_OFFICER', 'EMPLOYEE', 'READ_ONLY', 'MSP_ADMIN',
    'MSP_TECHNICIAN', 'PORTAL_USER'));

-- One row per signed-in browser: the session cookie names it; sign-out ends it.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    ended_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id, ended_at, last_seen_at);

-- An external auditor's access to one organization, from an emailed link (only the token's SHA-256 is kept).
CREATE TABLE auditor_grants (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    created_by_user_id TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX auditor_grants_org ON auditor_grants (org_id, created_at);

-- API keys of an organization: the key is shown once; only its SHA-256 is kept, with its scopes (space-separated).
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    key_prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_by_user_id TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_keys_org ON api_keys (org_id, created_at);
