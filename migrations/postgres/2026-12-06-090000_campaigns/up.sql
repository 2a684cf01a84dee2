-- Acknowledgment campaigns: published policy versions that an audience of the people directory must read and
-- sign by a due date. audience: everyone, department, role or chosen (audience_value holds the department name or
-- the role id). status: running or closed. The reminder plan: remind_days_before the due date (0 = none), on the
-- due date, and every remind_every_days after it (0 = none). follow_up_of names the campaign whose signers must
-- sign a materially changed version again, with the reason recorded.
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    due_on TEXT NOT NULL,
    audience TEXT NOT NULL,
    audience_value TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    remind_days_before INTEGER NOT NULL DEFAULT 0,
    remind_on_due BOOLEAN NOT NULL DEFAULT FALSE,
    remind_every_days INTEGER NOT NULL DEFAULT 0,
    follow_up_of TEXT REFERENCES campaigns (id),
    follow_up_reason TEXT NOT NULL DEFAULT '',
    started_by_user_id TEXT REFERENCES users (id),
    started_at TIMESTAMP NOT NULL,
    closed_by_user_id TEXT REFERENCES users (id),
    closed_at TIMESTAMP
);
CREATE INDEX campaigns_list ON campaigns (org_id, started_at);
CREATE INDEX campaigns_running ON campaigns (org_id, status, due_on);

-- The exact published versions a campaign asks people to sign.
CREATE TABLE campaign_policies (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    policy_version_id TEXT NOT NULL REFERENCES policy_versions (id),
    PRIMARY KEY (org_id, campaign_id, policy_version_id)
);

-- One request per person of the audience: the SHA-256 (hex) of their single-use signing link's token (the
-- token itself is only in the email), its expiry, the day of the last reminder (one a day at most) and when
-- they signed (the link is then spent).
CREATE TABLE campaign_requests (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    token_sha256 TEXT NOT NULL,
    token_expires_at TIMESTAMP NOT NULL,
    last_reminded_on TEXT,
    reminders INTEGER NOT NULL DEFAULT 0,
    signed_at TIMESTAMP
);
CREATE UNIQUE INDEX campaign_requests_person ON campaign_requests (org_id, campaign_id, person_id);
CREATE INDEX campaign_requests_pending ON campaign_requests (org_id, person_id, signed_at);
-- The sign page finds a request by its token alone (the token is the credential, before any organization).
CREATE UNIQUE INDEX campaign_requests_token ON campaign_requests (token_sha256);

-- What a person signed: never changed, never deleted. The exact version and its SHA-256, the full name they
-- typed, when, from which IP address and browser.
CREATE TABLE acknowledgments (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    campaign_id TEXT REFERENCES campaigns (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    policy_version_id TEXT NOT NULL REFERENCES policy_versions (id),
    sha256 TEXT NOT NULL,
    typed_name TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX acknowledgments_person ON acknowledgments (org_id, person_id, signed_at);
CREATE INDEX acknowledgments_version ON acknowledgments (org_id, policy_version_id);
CREATE INDEX acknowledgments_campaign ON acknowledgments (org_id, campaign_id);
