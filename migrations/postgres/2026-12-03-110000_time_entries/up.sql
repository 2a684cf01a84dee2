-- Time entries: the minutes MSP staff spend for one client, on a ticket or not. The MSP owns them (org_id: it
-- bills them), client_org_id is the client they were spent for. invoice_id is set once an invoice bills the
-- entry: from then on its author can no longer change or delete it.
CREATE TABLE time_entries (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    client_org_id TEXT NOT NULL REFERENCES organizations (id),
    ticket_id TEXT REFERENCES tickets (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    work_date TEXT NOT NULL,
    started_at TIMESTAMP,
    minutes INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    notes TEXT NOT NULL DEFAULT '',
    billable BOOLEAN NOT NULL,
    invoice_id TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX time_entries_week ON time_entries (org_id, work_date, user_id);
CREATE INDEX time_entries_client ON time_entries (org_id, client_org_id, work_date);
CREATE INDEX time_entries_ticket ON time_entries (org_id, ticket_id);

-- One running timer per person (the primary key), stored so that it survives a restart.
CREATE TABLE running_timers (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    org_id TEXT NOT NULL REFERENCES organizations (id),
    client_org_id TEXT NOT NULL REFERENCES organizations (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    label TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL
);
CREATE INDEX running_timers_ticket ON running_timers (org_id, ticket_id);

-- Closing rule: a ticket may be resolved only once time was logged on it.
ALTER TABLE service_desk_settings ADD COLUMN require_time_entry BOOLEAN NOT NULL DEFAULT FALSE;
