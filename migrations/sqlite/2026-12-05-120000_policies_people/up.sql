-- The policy library. A policy is the living document: its current draft text and where it stands
-- (status: draft, in_review, approved, published; kind: security, privacy or general, which decides who may
-- approve it). template_slug names the template it was made from ('' when written from scratch). version is the
-- number of its latest published version (0 before the first). evidence_id is the evidence item that stands for
-- its published version on the controls it maps to. The review request records its author (who may not approve
-- it) and the change summary the author wrote.
CREATE TABLE policies (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    template_slug TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    owner_user_id TEXT REFERENCES users (id),
    review_months INTEGER NOT NULL,
    next_review_on TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    evidence_id TEXT REFERENCES evidence (id),
    change_summary TEXT NOT NULL DEFAULT '',
    submitted_by_user_id TEXT REFERENCES users (id),
    submitted_at TIMESTAMP,
    approved_by_user_id TEXT REFERENCES users (id),
    approved_at TIMESTAMP,
    decision_comment TEXT NOT NULL DEFAULT '',
    created_by_user_id TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX policies_list ON policies (org_id, title, id);
CREATE INDEX policies_status ON policies (org_id, status, title);
CREATE INDEX policies_review ON policies (org_id, next_review_on);

-- The common controls a policy supports (catalog ids).
CREATE TABLE policy_controls (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    policy_id TEXT NOT NULL REFERENCES policies (id),
    control_id TEXT NOT NULL,
    PRIMARY KEY (org_id, policy_id, control_id)
);
CREATE INDEX policy_controls_control ON policy_controls (org_id, control_id);

-- Published versions, never changed: the text as published, its SHA-256 (hex), the change summary, who wrote
-- it and who approved it. material says whether people who acknowledged the previous version must acknowledge
-- this one again (acknowledgment campaigns), with the reason given.
CREATE TABLE policy_versions (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    policy_id TEXT NOT NULL REFERENCES policies (id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    change_summary TEXT NOT NULL,
    author_user_id TEXT REFERENCES users (id),
    approver_user_id TEXT REFERENCES users (id),
    approved_at TIMESTAMP NOT NULL,
    published_by_user_id TEXT REFERENCES users (id),
    published_at TIMESTAMP NOT NULL,
    material BOOLEAN NOT NULL,
    material_reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX policy_versions_number ON policy_versions (org_id, policy_id, number);

-- The people of an organization who acknowledge policies: mostly not Palisade users (a client's employees);
-- user_id links those who are members. Deactivated people keep their row (and later their signatures).
-- email is stored lower-case, unique in the organization.
CREATE TABLE people (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    manager TEXT NOT NULL DEFAULT '',
    start_on TEXT,
    user_id TEXT REFERENCES users (id),
    deactivated_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX people_email ON people (org_id, email);
CREATE INDEX people_list ON people (org_id, deactivated_at, name, id);
CREATE INDEX people_department ON people (org_id, department, name);
