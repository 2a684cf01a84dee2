-- Ticket templates, canned responses for replies, and recurring tickets (a schedule per client that opens a
-- ticket from a template). An MSP's templates and canned responses are offered in its clients too.
CREATE TABLE ticket_templates (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    ticket_type TEXT NOT NULL CHECK (ticket_type IN ('incident', 'service_request', 'problem', 'change')),
    category TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_templates_org ON ticket_templates (org_id, name);

CREATE TABLE canned_responses (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX canned_responses_org ON canned_responses (org_id, title);

-- A schedule opens a ticket from its template at next_run_at, then moves next_run_at on by its frequency from
-- first_run_at (in the organization's local time), skipping runs missed while no instance was up.
CREATE TABLE recurring_tickets (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    template_id TEXT NOT NULL REFERENCES ticket_templates (id),
    frequency TEXT NOT NULL CHECK (frequency IN ('weekly', 'monthly', 'quarterly')),
    first_run_at TIMESTAMP NOT NULL,
    next_run_at TIMESTAMP NOT NULL,
    requester_contact_id TEXT REFERENCES contacts (id),
    assignee_user_id TEXT REFERENCES users (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    last_ticket_id TEXT REFERENCES tickets (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX recurring_tickets_org ON recurring_tickets (org_id, next_run_at);
CREATE INDEX recurring_tickets_due ON recurring_tickets (active, next_run_at);
