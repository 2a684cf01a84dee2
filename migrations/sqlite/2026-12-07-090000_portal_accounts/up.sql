-- A client's end user of the portal: the person (users row with a PORTAL_USER membership in the client) and the
-- contact they are in the service desk, so "my tickets" are the tickets the contact requested. A client admin can
-- let them see every ticket of the company instead.
CREATE TABLE portal_accounts (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    contact_id TEXT REFERENCES contacts (id),
    sees_company_tickets BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX portal_accounts_user ON portal_accounts (org_id, user_id);
CREATE INDEX portal_accounts_contact ON portal_accounts (org_id, contact_id);

-- A client's portal: its look, what it offers and how tickets behave there. No row yet = the defaults below and
-- the client's own name. The verified custom domain lives in organizations.portal_host (what the guard matches);
-- a domain waiting for verification and its token stay here until the check passes.
CREATE TABLE portal_settings (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    portal_name TEXT NOT NULL DEFAULT '',
    primary_color TEXT NOT NULL DEFAULT '#1d4ed8',
    accent_color TEXT NOT NULL DEFAULT '#0f766e',
    welcome_markdown TEXT NOT NULL DEFAULT '',
    support_email TEXT NOT NULL DEFAULT '',
    support_phone TEXT NOT NULL DEFAULT '',
    logo_key TEXT,
    logo_type TEXT,
    favicon_key TEXT,
    favicon_type TEXT,
    show_tickets BOOLEAN NOT NULL DEFAULT 1,
    show_kb BOOLEAN NOT NULL DEFAULT 1,
    show_chat BOOLEAN NOT NULL DEFAULT 1,
    show_policies BOOLEAN NOT NULL DEFAULT 1,
    show_compliance BOOLEAN NOT NULL DEFAULT 0,
    allowed_priorities TEXT NOT NULL DEFAULT 'low,medium,high',
    reopen_days INTEGER NOT NULL DEFAULT 14,
    pending_domain TEXT,
    domain_token TEXT,
    domain_checked_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
