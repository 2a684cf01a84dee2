-- A client end user's session in the client's portal: separate from staff sessions (`sessions`), so a staff
-- session never opens the portal as an end user and a portal session never opens a staff page. Bound to the
-- client it was started in; removing someone's portal access ends them.
CREATE TABLE portal_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    ended_at TIMESTAMP
);
CREATE INDEX portal_sessions_user ON portal_sessions (org_id, user_id);
