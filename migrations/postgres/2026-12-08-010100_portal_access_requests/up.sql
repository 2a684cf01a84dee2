-- Requests for portal access made on a client's sign-in page (name + email on a domain of one of the client's
-- contacts), which its staff approve (the account is created as by an invitation) or refuse.
CREATE TABLE portal_access_requests (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX portal_access_requests_org ON portal_access_requests (org_id, status, created_at);
