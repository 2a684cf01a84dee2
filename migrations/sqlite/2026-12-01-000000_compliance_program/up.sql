-- The compliance program of each organization (src/compliance): adopted frameworks and their scoping, the
-- organization's controls (one per common control, created when first needed, never deleted), evidence with its
-- revisions and links to controls, current scores and daily snapshots, and the framework-specific registers.
-- Dates that are calendar days (due, effective, valid until, renewal) are TEXT 'YYYY-MM-DD' (db::Day).

-- A framework an organization adopted (adopted = false after unadopting: the row keeps its scoping).
CREATE TABLE org_frameworks (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    framework_id TEXT NOT NULL REFERENCES catalog_frameworks (id),
    adopted BOOLEAN NOT NULL,
    -- JSON: {"categories": ["Availability", ...]} (SOC 2), {"level": 2} (CMMC).
    scoping TEXT NOT NULL DEFAULT '{}',
    first_adopted_at TIMESTAMP NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, framework_id)
);

-- A requirement the organization declared not applicable, with why (the Statement of Applicability's exclusions).
CREATE TABLE requirement_exclusions (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    framework_id TEXT NOT NULL,
    requirement_id TEXT NOT NULL,
    justification TEXT NOT NULL,
    excluded_by_user_id TEXT REFERENCES users (id),
    excluded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, framework_id, requirement_id),
    FOREIGN KEY (framework_id, requirement_id) REFERENCES catalog_requirements (framework_id, requirement_id)
);

-- The organization's implementation of one common control. in_scope, frameworks and position are derived from
-- the adopted frameworks (rewritten whenever they change); the evidence_* columns summarise the linked evidence
-- (rewritten whenever it changes), so lists filter and sort without reading evidence.
CREATE TABLE org_controls (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    control_id TEXT NOT NULL REFERENCES catalog_controls (id),
    status TEXT NOT NULL DEFAULT 'not_started'
        CHECK (status IN ('not_started', 'in_progress', 'ready_for_review', 'implemented', 'not_applicable')),
    owner_user_id TEXT REFERENCES users (id),
    due_on TEXT,
    notes TEXT NOT NULL DEFAULT '',
    na_justification TEXT NOT NULL DEFAULT '',
    review_months INTEGER NOT NULL DEFAULT 12 CHECK (review_months IN (0, 1, 3, 6, 12, 24)),
    next_review_on TEXT,
    review_requested_by_user_id TEXT REFERENCES users (id),
    review_requested_at TIMESTAMP,
    decided_by_user_id TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    decision_comment TEXT NOT NULL DEFAULT '',
    in_scope BOOLEAN NOT NULL DEFAULT FALSE,
    -- The adopted frameworks it serves, as " hipaa soc2 " (space-delimited, for the framework filter).
    frameworks TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    evidence_approved INTEGER NOT NULL DEFAULT 0,
    evidence_pending INTEGER NOT NULL DEFAULT 0,
    -- The earliest valid-until of its approved evidence.
    evidence_valid_until TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX org_controls_control ON org_controls (org_id, control_id);
CREATE INDEX org_controls_list ON org_controls (org_id, in_scope, position);
CREATE INDEX org_controls_owner ON org_controls (org_id, owner_user_id, due_on);

-- Evidence: a file (with revisions), a link or a note; it supports any number of controls.
CREATE TABLE evidence (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('file', 'link', 'note')),
    kind TEXT NOT NULL CHECK (kind IN ('document', 'screenshot', 'ticket', 'export', 'configuration', 'log',
        'attestation', 'report')),
    url TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),
    effective_on TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0,
    submitted_by_user_id TEXT REFERENCES users (id),
    submitted_at TIMESTAMP NOT NULL,
    reviewed_by_user_id TEXT REFERENCES users (id),
    reviewed_at TIMESTAMP,
    review_comment TEXT NOT NULL DEFAULT '',
    -- The valid-until each expiry notice was sent for (a new date re-arms them): 30 days, 7 days, the day.
    notice_30_for TEXT,
    notice_7_for TEXT,
    notice_0_for TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX evidence_org_created ON evidence (org_id, created_at);
CREATE INDEX evidence_org_valid ON evidence (org_id, status, valid_until);

-- Every file an evidence item has held, newest = evidence.revision; never deleted.
CREATE TABLE evidence_revisions (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    evidence_id TEXT NOT NULL REFERENCES evidence (id),
    number INTEGER NOT NULL,
    storage_key TEXT NOT NULL,
    filename TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    uploaded_by_user_id TEXT REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX evidence_revisions_number ON evidence_revisions (org_id, evidence_id, number);

CREATE TABLE evidence_links (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    evidence_id TEXT NOT NULL REFERENCES evidence (id),
    control_id TEXT NOT NULL,
    linked_by_user_id TEXT REFERENCES users (id),
    linked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, evidence_id, control_id),
    FOREIGN KEY (org_id, control_id) REFERENCES org_controls (org_id, control_id)
);
CREATE INDEX evidence_links_control ON evidence_links (org_id, control_id);

-- The current scores (compliance::scores), recomputed in the transaction of every change that affects them and
-- daily: one row per adopted framework (met / partial / unmet in-scope requirements) and one with framework_id
-- '' for the overall score (met = effective in-scope controls, unmet = the others, partial = 0).
CREATE TABLE compliance_scores (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    framework_id TEXT NOT NULL,
    in_scope INTEGER NOT NULL,
    met INTEGER NOT NULL,
    partial INTEGER NOT NULL,
    unmet INTEGER NOT NULL,
    percent INTEGER,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, framework_id)
);

-- The scores as they stood each day (the organization's local day), for the trend.
CREATE TABLE compliance_snapshots (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    day TEXT NOT NULL,
    framework_id TEXT NOT NULL,
    in_scope INTEGER NOT NULL,
    met INTEGER NOT NULL,
    partial INTEGER NOT NULL,
    unmet INTEGER NOT NULL,
    percent INTEGER,
    taken_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, day, framework_id)
);

-- One row per organization with a program: when its daily work (expiry, scores, snapshot, notices) is next due,
-- at its local midnight.
CREATE TABLE compliance_programs (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    next_daily_at TIMESTAMP NOT NULL,
    last_daily_on TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX compliance_programs_due ON compliance_programs (next_daily_at);

-- HIPAA business associate agreements.
CREATE TABLE baa_agreements (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    associate TEXT NOT NULL,
    services TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'expired', 'terminated')),
    signed_on TEXT,
    renewal_on TEXT,
    evidence_id TEXT REFERENCES evidence (id),
    notes TEXT NOT NULL DEFAULT '',
    created_by_user_id TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX baa_agreements_org ON baa_agreements (org_id, renewal_on);

-- GDPR data-subject requests.
CREATE TABLE dsr_requests (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    requester TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'restriction', 'portability',
        'objection')),
    received_on TEXT NOT NULL,
    identity_verified BOOLEAN NOT NULL DEFAULT FALSE,
    due_on TEXT NOT NULL,
    extension_reason TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'completed', 'refused')),
    closed_on TEXT,
    response_evidence_id TEXT REFERENCES evidence (id),
    notes TEXT NOT NULL DEFAULT '',
    created_by_user_id TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX dsr_requests_org ON dsr_requests (org_id, status, due_on);

-- CMMC Level 2: the requirements the organization records as partly implemented in the way the DoD Assessment
-- Methodology gives partial credit for (3.5.3 multifactor authentication, 3.13.11 FIPS-validated encryption).
CREATE TABLE sprs_partial_credit (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    requirement TEXT NOT NULL,
    recorded_by_user_id TEXT REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, requirement)
);

-- A control's (or evidence item's) history on its page.
CREATE INDEX activity_log_org_target ON activity_log (org_id, target_type, target_id, created_at);
