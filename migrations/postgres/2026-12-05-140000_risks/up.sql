-- The risk register of an organization (Compliance -> Risks). Likelihood and impact are 1 to 5; the scores
-- (likelihood x impact, 1 to 25) are stored so the register filters, sorts and groups the heat maps by them.
-- Money is integer cents; the annual rate of occurrence is in hundredths (0.25 a year = 25), and the annualized
-- exposure (EAL = SLE x ARO) is stored with the risk. The current acceptance's residual score and expiry ride on
-- the risk (accepted_score, acceptance_expires_on) so the register shows a stale or expired acceptance without a
-- join; the acceptances themselves are a history that is never edited, only superseded. Calendar days are TEXT
-- 'YYYY-MM-DD' (db::Day). Every index leads with org_id.
CREATE TABLE risks (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    affected_processes TEXT NOT NULL DEFAULT '',
    owner_user_id TEXT REFERENCES users (id),
    inherent_likelihood INTEGER NOT NULL CHECK (inherent_likelihood BETWEEN 1 AND 5),
    inherent_impact INTEGER NOT NULL CHECK (inherent_impact BETWEEN 1 AND 5),
    inherent_score INTEGER NOT NULL,
    residual_likelihood INTEGER NOT NULL CHECK (residual_likelihood BETWEEN 1 AND 5),
    residual_impact INTEGER NOT NULL CHECK (residual_impact BETWEEN 1 AND 5),
    residual_score INTEGER NOT NULL,
    treatment TEXT NOT NULL CHECK (treatment IN ('mitigate', 'accept', 'transfer', 'avoid')),
    treatment_plan TEXT NOT NULL DEFAULT '',
    treatment_due_on TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'in_treatment', 'accepted', 'closed')),
    next_review_on TEXT,
    sle_low_cents BIGINT NOT NULL DEFAULT 0,
    sle_high_cents BIGINT NOT NULL DEFAULT 0,
    aro_hundredths INTEGER NOT NULL DEFAULT 0,
    eal_low_cents BIGINT NOT NULL DEFAULT 0,
    eal_high_cents BIGINT NOT NULL DEFAULT 0,
    accepted_score INTEGER,
    acceptance_expires_on TEXT,
    created_by_user_id TEXT REFERENCES users (id),
    closed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX risks_residual ON risks (org_id, status, residual_score);
CREATE INDEX risks_inherent ON risks (org_id, inherent_score);
CREATE INDEX risks_title ON risks (org_id, title, id);
CREATE INDEX risks_review ON risks (org_id, next_review_on);
CREATE INDEX risks_updated ON risks (org_id, updated_at);

-- The organization's controls (catalog ids, as org_controls names them) that mitigate a risk.
CREATE TABLE risk_controls (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    risk_id TEXT NOT NULL REFERENCES risks (id),
    control_id TEXT NOT NULL,
    PRIMARY KEY (risk_id, control_id)
);
CREATE INDEX risk_controls_risk ON risk_controls (org_id, risk_id);

-- The organization's assets a risk affects.
CREATE TABLE risk_assets (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    risk_id TEXT NOT NULL REFERENCES risks (id),
    asset_id TEXT NOT NULL REFERENCES assets (id),
    PRIMARY KEY (risk_id, asset_id)
);
CREATE INDEX risk_assets_risk ON risk_assets (org_id, risk_id);
CREATE INDEX risk_assets_asset ON risk_assets (org_id, asset_id);

-- Acceptances of a risk by an approver: the residual score accepted, the reason, the expiry. A new acceptance
-- supersedes the current one (superseded_at); none is ever edited.
CREATE TABLE risk_acceptances (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    risk_id TEXT NOT NULL REFERENCES risks (id),
    residual_likelihood INTEGER NOT NULL,
    residual_impact INTEGER NOT NULL,
    residual_score INTEGER NOT NULL,
    reason TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    approved_by_user_id TEXT NOT NULL REFERENCES users (id),
    approved_by_name TEXT NOT NULL,
    superseded_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX risk_acceptances_risk ON risk_acceptances (org_id, risk_id, created_at);

-- Risk assessment sessions: on a date, every open risk's scores are snapshotted; an approver (not who started
-- it) signs it off. The snapshot stays readable and is compared with the register as it is now.
CREATE TABLE risk_assessments (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL,
    assessed_on TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    started_by_user_id TEXT NOT NULL REFERENCES users (id),
    started_by_name TEXT NOT NULL,
    signed_off_by_user_id TEXT REFERENCES users (id),
    signed_off_by_name TEXT,
    signed_off_at TIMESTAMP,
    sign_off_comment TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX risk_assessments_org ON risk_assessments (org_id, assessed_on, created_at);

CREATE TABLE risk_assessment_items (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    assessment_id TEXT NOT NULL REFERENCES risk_assessments (id),
    risk_id TEXT NOT NULL REFERENCES risks (id),
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    treatment TEXT NOT NULL,
    inherent_likelihood INTEGER NOT NULL,
    inherent_impact INTEGER NOT NULL,
    residual_likelihood INTEGER NOT NULL,
    residual_impact INTEGER NOT NULL,
    residual_score INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, risk_id)
);
CREATE INDEX risk_assessment_items_assessment ON risk_assessment_items (org_id, assessment_id, residual_score);
