-- Principals and typed tenancy: server-side session records, auditor grants and API keys; the text enums
-- (organization kinds, tiers, roles) constrained to the values the application knows.
--
-- SQLite adds a CHECK constraint only by rebuilding the table; the migration runner (db::migrate_sqlite) runs
-- migrations with foreign keys off and checks every reference before it commits.

CREATE TABLE organizations_new (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('msp', 'client', 'solo')),
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    timezone TEXT NOT NULL,
    contact_email TEXT NOT NULL DEFAULT '',
    seat_limit INTEGER NOT NULL,
    -- The MSP managing this client and the relationship tier; both NULL when unmanaged.
    msp_org_id TEXT REFERENCES organizations (id),
    tier TEXT CHECK (tier IN ('T1', 'T2', 'T3')),
    archived_at TIMESTAMP,
    last_activity_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- The host name the client's end-user portal answers on (besides /portal/{slug}), when it has one.
    portal_host TEXT UNIQUE,
    CHECK ((msp_org_id IS NULL) = (tier IS NULL))
);
INSERT INTO organizations_new (id, kind, name, slug, timezone, contact_email, seat_limit, msp_org_id, tier,
                               archived_at, last_activity_at, created_at, updated_at)
    SELECT id, kind, name, slug, timezone, contact_email, seat_limit, msp_org_id, tier, archived_at,
           last_activity_at, created_at, updated_at
    FROM organizations;
DROP TABLE organizations;
ALTER TABLE organizations_new RENAME TO organizations;
CREATE INDEX organizations_kind_name ON organizations (kind, name);
CREATE INDEX organizations_msp_name ON organizations (msp_org_id, archived_at, name);
CREATE INDEX organizations_msp_activity ON organizations (msp_org_id, archived_at, last_activity_at);
CREATE INDEX organizations_msp_tier ON organizations (msp_org_id, archived_at, tier);

CREATE TABLE memberships_new (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('ADMIN', 'COMPLIANCE_ADMIN', 'COMPLIANCE_OFFICER', 'PRIVACY_OFFICER',
        'SECURITY_OFFICER', 'EMPLOYEE', 'READ_ONLY', 'MSP_ADMIN', 'MSP_TECHNICIAN', 'PORTAL_USER')),
    compliance_team BOOLEAN NOT NULL DEFAULT 0,
    deactivated_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, user_id)
);
INSERT INTO memberships_new SELECT id, org_id, user_id, role, compliance_team, deactivated_at, created_at,
    updated_at FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;
CREATE INDEX memberships_user ON memberships (user_id, org_id);

CREATE TABLE invitations_new (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('ADMIN', 'COMPLIANCE_ADMIN', 'COMPLIANCE_OFFICER', 'PRIVACY_OFFICER',
        'SECURITY_OFFICER', 'EMPLOYEE', 'READ_ONLY', 'MSP_ADMIN', 'MSP_TECHNICIAN', 'PORTAL_USER')),
    token_hash TEXT NOT NULL UNIQUE,
    invited_by_user_id TEXT REFERENCES users (id),
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    accepted_user_id TEXT REFERENCES users (id),
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO invitations_new SELECT id, org_id, email, role, token_hash, invited_by_user_id, expires_at,
    accepted_at, accepted_user_id, revoked_at, created_at FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;
CREATE INDEX invitations_org ON invitations (org_id, created_at);

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
