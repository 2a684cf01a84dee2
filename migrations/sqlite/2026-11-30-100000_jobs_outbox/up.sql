-- Scheduled work shared by every instance: one row per registered job (jobs/). An instance runs a job only after
-- claiming its row with one conditional UPDATE (due, and not leased by another instance), so two instances never
-- run the same job at once; the lease lets another instance take over from one that died mid-run.
CREATE TABLE scheduled_jobs (
    name TEXT PRIMARY KEY NOT NULL,
    next_run_at TIMESTAMP NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP,
    last_started_at TIMESTAMP,
    last_finished_at TIMESTAMP,
    last_outcome TEXT CHECK (last_outcome IN ('ok', 'failed')),
    last_summary TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    runs BIGINT NOT NULL DEFAULT 0,
    failures BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

-- Outgoing email, written in the same transaction as the change that sends it and delivered by the scheduler
-- (mail/outbox.rs). queued -> sending (claimed; next_attempt_at is then the end of the claim's lease) -> sent, or
-- back to queued with a later next_attempt_at after a temporary failure, or failed after the last attempt.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT REFERENCES organizations (id),
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    -- JSON: message_id, in_reply_to, references, reply_to, from_name.
    headers TEXT NOT NULL DEFAULT '{}',
    -- JSON: [{filename, content_type, storage_key}], the files read from storage at delivery.
    attachments TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Due work: (queued or sending) and next_attempt_at <= now, oldest first.
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
-- The administration's lists by status, newest first.
CREATE INDEX outbox_status_created ON outbox (status, created_at);
CREATE INDEX outbox_org ON outbox (org_id, created_at);
