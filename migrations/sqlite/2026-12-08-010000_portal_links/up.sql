-- The portal's emailed links, each for one end user in one client: a one-time sign-in (15 minutes), a password
-- reset (1 hour), an invitation to set a first password (7 days). Only the token's SHA-256 is stored; a link
-- works once (used_at).
CREATE TABLE portal_links (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX portal_links_token ON portal_links (token_hash);
CREATE INDEX portal_links_user ON portal_links (org_id, user_id, purpose);
