-- Inbound email: every message received (SMTP receiver or IMAP polling) kept for audit and reprocessing, with what
-- became of it, and the triage flag on tickets opened in the MSP's queue for senders no client claims.

-- One received message. org_id is the organization whose mailbox received it (the MSP, or a solo
-- organization): its staff see it. routed_org_id is the organization the message landed in (a client, the MSP).
CREATE TABLE inbound_messages (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    received_at TIMESTAMP NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('smtp', 'imap', 'reprocess')),
    -- An IMAP message's identity (mailbox, UIDVALIDITY, UID): inserting it claims the message, so two instances
    -- never process one message twice. NULL for SMTP.
    source_ref TEXT UNIQUE,
    envelope_from TEXT NOT NULL DEFAULT '',
    recipients TEXT NOT NULL DEFAULT '',
    from_address TEXT NOT NULL DEFAULT '',
    from_name TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL,
    -- The raw message in file storage (NULL when it was not kept: over the size limit).
    raw_key TEXT,
    -- The parsed result: the whole text, the text after trimming quoted history and signature, and a JSON summary
    -- (threading headers, automatic-mail markers, attachments).
    body_text TEXT NOT NULL DEFAULT '',
    trimmed_text TEXT NOT NULL DEFAULT '',
    parsed TEXT NOT NULL DEFAULT '{}',
    outcome TEXT NOT NULL CHECK (outcome IN ('ticket_opened', 'reply_added', 'follow_up_opened', 'triaged',
        'auto_reply', 'bounce', 'loop', 'duplicate', 'rate_limited', 'rejected')),
    outcome_detail TEXT NOT NULL DEFAULT '',
    routed_org_id TEXT REFERENCES organizations (id),
    ticket_id TEXT REFERENCES tickets (id),
    processed_at TIMESTAMP NOT NULL
);
CREATE INDEX inbound_messages_org ON inbound_messages (org_id, received_at);
CREATE INDEX inbound_messages_sender ON inbound_messages (org_id, from_address, received_at);
CREATE INDEX inbound_messages_message_id ON inbound_messages (org_id, message_id);

-- A ticket opened in the MSP's own queue because no client claims its sender, until staff move it to a client.
CREATE TABLE inbound_triage (
    ticket_id TEXT PRIMARY KEY NOT NULL REFERENCES tickets (id),
    org_id TEXT NOT NULL REFERENCES organizations (id),
    sender TEXT NOT NULL,
    sender_name TEXT NOT NULL DEFAULT '',
    moved_to_org_id TEXT REFERENCES organizations (id),
    moved_to_ticket_id TEXT REFERENCES tickets (id),
    moved_by_user_id TEXT REFERENCES users (id),
    moved_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX inbound_triage_org ON inbound_triage (org_id, moved_at, created_at);
