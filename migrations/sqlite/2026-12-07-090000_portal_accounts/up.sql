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
