-- The service desk: contacts, tickets with their conversation, attachments, watchers and related tickets, per
-- organization ticket numbers, SLA policies with the due instants stored on each ticket, pauses, escalations and
-- the outcome of every SLA target (the SLA report).

-- The people of an organization who raise tickets (and later sign in to its portal).
CREATE TABLE contacts (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    -- Lower-cased; NULL when the contact has none (several may have none).
    email TEXT,
    -- The part after @, for matching an unknown sender's domain to a client.
    email_domain TEXT,
    phone TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    is_billing BOOLEAN NOT NULL DEFAULT FALSE,
    is_technical BOOLEAN NOT NULL DEFAULT FALSE,
    notes TEXT NOT NULL DEFAULT '',
    archived_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, email)
);
CREATE INDEX contacts_org_name ON contacts (org_id, archived_at, name);
CREATE INDEX contacts_email ON contacts (email);
CREATE INDEX contacts_domain ON contacts (email_domain);

-- SLA policies of an organization: a business calendar (JSON: weekly windows, holidays, yearly holidays), targets
-- per priority (JSON), the statuses that pause the clock. A client without a default policy of its own uses its
-- MSP's default.
CREATE TABLE sla_policies (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    calendar TEXT NOT NULL,
    targets TEXT NOT NULL,
    pause_statuses TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX sla_policies_org ON sla_policies (org_id, name);

-- What happens when a share of a target has passed: notify the assignee, a person or a role, reassign, raise
-- the priority.
CREATE TABLE sla_escalation_rules (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    policy_id TEXT NOT NULL REFERENCES sla_policies (id),
    target TEXT NOT NULL CHECK (target IN ('first_response', 'next_response', 'resolution')),
    threshold_percent INTEGER NOT NULL CHECK (threshold_percent BETWEEN 1 AND 1000),
    action TEXT NOT NULL CHECK (action IN ('notify_assignee', 'notify_user', 'notify_role', 'reassign',
        'raise_priority')),
    user_id TEXT REFERENCES users (id),
    role TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sla_escalation_rules_org ON sla_escalation_rules (org_id, policy_id);

-- The next ticket number of each organization: taken with UPDATE ... SET next_number = next_number + 1 in the
-- transaction that creates the ticket, so numbers never repeat or skip.
CREATE TABLE ticket_counters (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    next_number BIGINT NOT NULL
);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    -- The MSP managing the organization (the MSP itself for its own tickets), kept for the MSP's queue across
    -- its clients; NULL for organizations no MSP manages.
    msp_org_id TEXT REFERENCES organizations (id),
    number BIGINT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    requester_contact_id TEXT REFERENCES contacts (id),
    priority TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    ticket_type TEXT NOT NULL CHECK (ticket_type IN ('incident', 'service_request', 'problem', 'change')),
    category TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending_customer', 'on_hold', 'resolved', 'closed')),
    -- Status is new, open, pending customer or on hold (the queues' "open").
    unresolved BOOLEAN NOT NULL,
    assignee_user_id TEXT REFERENCES users (id),
    source TEXT NOT NULL CHECK (source IN ('staff', 'email', 'portal', 'recurring')),
    merged_into_ticket_id TEXT REFERENCES tickets (id),
    created_by_user_id TEXT REFERENCES users (id),
    resolution_note TEXT NOT NULL DEFAULT '',
    -- The Message-ID the ticket's email thread starts with (the email that opened it, or one of ours).
    thread_message_id TEXT NOT NULL,
    first_responded_at TIMESTAMP,
    last_customer_reply_at TIMESTAMP,
    last_staff_reply_at TIMESTAMP,
    resolved_at TIMESTAMP,
    closed_at TIMESTAMP,
    -- When a resolved ticket closes by itself (the organization's closing rule).
    close_due_at TIMESTAMP,
    -- SLA: the policy in force (its clocks are in ticket_sla), and what queues sort and filter by.
    sla_policy_id TEXT REFERENCES sla_policies (id),
    -- The earliest due instant of an unmet target: what queues sort and filter by.
    sla_due_at TIMESTAMP,
    sla_breached_at TIMESTAMP,
    sla_paused_since TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, number)
);
CREATE INDEX tickets_org_queue ON tickets (org_id, unresolved, sla_due_at);
CREATE INDEX tickets_org_updated ON tickets (org_id, updated_at);
CREATE INDEX tickets_org_assignee ON tickets (org_id, assignee_user_id, unresolved);
CREATE INDEX tickets_org_requester ON tickets (org_id, requester_contact_id, created_at);
CREATE INDEX tickets_msp_queue ON tickets (msp_org_id, unresolved, sla_due_at);
-- Scheduled work across organizations: breaches coming due, resolved tickets to close.
CREATE INDEX tickets_due ON tickets (unresolved, sla_due_at);
CREATE INDEX tickets_close_due ON tickets (close_due_at);

-- The SLA clocks of a ticket: the policy applies since segment_started_at, each target had used that much
-- business time before (microseconds), the running next-response cycle, the due instants (NULL: none, met, or
-- paused) and when each target breached.
CREATE TABLE ticket_sla (
    ticket_id TEXT PRIMARY KEY NOT NULL REFERENCES tickets (id),
    org_id TEXT NOT NULL REFERENCES organizations (id),
    segment_started_at TIMESTAMP NOT NULL,
    first_response_used_us BIGINT NOT NULL DEFAULT 0,
    next_response_used_us BIGINT NOT NULL DEFAULT 0,
    resolution_used_us BIGINT NOT NULL DEFAULT 0,
    next_response_started_at TIMESTAMP,
    first_response_due_at TIMESTAMP,
    next_response_due_at TIMESTAMP,
    resolution_due_at TIMESTAMP,
    first_response_breached_at TIMESTAMP,
    next_response_breached_at TIMESTAMP,
    resolution_breached_at TIMESTAMP
);
CREATE INDEX ticket_sla_org ON ticket_sla (org_id, ticket_id);

-- The conversation: public replies, internal notes and events (status, assignment, ...), oldest first.
CREATE TABLE ticket_events (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    kind TEXT NOT NULL CHECK (kind IN ('created', 'reply', 'note', 'status', 'priority', 'assignment', 'change',
        'merge', 'link', 'sla', 'escalation', 'breach')),
    -- Internal entries never leave the staff app (emails, the portal).
    internal BOOLEAN NOT NULL,
    author_user_id TEXT REFERENCES users (id),
    author_contact_id TEXT REFERENCES contacts (id),
    author_label TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (org_id, ticket_id, created_at);

CREATE TABLE ticket_attachments (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    event_id TEXT REFERENCES ticket_events (id),
    internal BOOLEAN NOT NULL,
    filename TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by_label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (org_id, ticket_id, created_at);

-- Staff and contacts who follow a ticket (public replies are emailed to them).
CREATE TABLE ticket_watchers (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    user_id TEXT REFERENCES users (id),
    contact_id TEXT REFERENCES contacts (id),
    created_at TIMESTAMP NOT NULL,
    CHECK ((user_id IS NULL) <> (contact_id IS NULL)),
    UNIQUE (ticket_id, user_id),
    UNIQUE (ticket_id, contact_id)
);
CREATE INDEX ticket_watchers_ticket ON ticket_watchers (org_id, ticket_id);

-- Related tickets of one organization, one row per pair (ticket_id < related_ticket_id).
CREATE TABLE ticket_links (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    related_ticket_id TEXT NOT NULL REFERENCES tickets (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (ticket_id < related_ticket_id),
    UNIQUE (ticket_id, related_ticket_id)
);
CREATE INDEX ticket_links_org ON ticket_links (org_id, ticket_id);
CREATE INDEX ticket_links_related ON ticket_links (org_id, related_ticket_id);

-- Every Message-ID a ticket's emails carried (sent, and received), for threading replies back to the ticket.
CREATE TABLE ticket_message_ids (
    message_id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_message_ids_ticket ON ticket_message_ids (org_id, ticket_id);

-- The spans during which a ticket's SLA clock stood still (a pausing status); ended_at NULL while paused.
CREATE TABLE ticket_sla_pauses (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
CREATE INDEX ticket_sla_pauses_ticket ON ticket_sla_pauses (org_id, ticket_id, started_at);

-- A ticket's escalations still to fire (or fired): one per rule, claimed by the scheduler when fire_at passes.
CREATE TABLE ticket_escalations (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    rule_id TEXT NOT NULL REFERENCES sla_escalation_rules (id),
    fire_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'fired')),
    fired_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (ticket_id, rule_id)
);
CREATE INDEX ticket_escalations_org ON ticket_escalations (org_id, ticket_id);
CREATE INDEX ticket_escalations_due ON ticket_escalations (status, fire_at);

-- Each SLA target of a ticket once it is met or breached: what the SLA report counts.
CREATE TABLE sla_outcomes (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    target TEXT NOT NULL CHECK (target IN ('first_response', 'next_response', 'resolution')),
    priority TEXT NOT NULL,
    cycle_started_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    met_at TIMESTAMP,
    breached_at TIMESTAMP,
    -- The month the target was due, in the organization's timezone ("2026-03").
    month TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (ticket_id, target, cycle_started_at)
);
CREATE INDEX sla_outcomes_org_month ON sla_outcomes (org_id, month);

-- An organization's closing rules (defaults when it has no row): a resolution note before Resolved, resolved
-- tickets closing by themselves after auto_close_hours (0: never), a requester's reply reopening a resolved or
-- closed ticket within reopen_days of its resolution (later replies open a new ticket linked to it).
CREATE TABLE service_desk_settings (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    require_resolution_note BOOLEAN NOT NULL DEFAULT FALSE,
    auto_close_hours INTEGER NOT NULL DEFAULT 72,
    reopen_days INTEGER NOT NULL DEFAULT 7,
    updated_at TIMESTAMP NOT NULL
);
