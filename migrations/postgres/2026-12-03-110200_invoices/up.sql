-- Invoices of an MSP to its clients, numbered per MSP (prefix + a counter that never repeats or skips: advanced
-- in the transaction that writes the invoice). Lines are traceable to the time entries they bill; an entry is on
-- at most one live (not void) invoice: time_entries.invoice_id is claimed with a conditional UPDATE, and the
-- partial unique index below says it again in the database. Voiding marks the lines not live and releases the
-- entries; the void invoice stays readable.
CREATE TABLE invoice_counters (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    prefix TEXT NOT NULL DEFAULT 'INV-',
    next_number BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE invoices (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    client_org_id TEXT NOT NULL REFERENCES organizations (id),
    number BIGINT NOT NULL,
    label TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'paid', 'void')),
    subtotal_cents BIGINT NOT NULL,
    tax_rate_bp INTEGER NOT NULL,
    tax_cents BIGINT NOT NULL,
    total_cents BIGINT NOT NULL,
    rounding TEXT NOT NULL,
    sent_at TIMESTAMP,
    paid_on TEXT,
    payment_reference TEXT NOT NULL DEFAULT '',
    voided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX invoices_number ON invoices (org_id, number);
CREATE INDEX invoices_client ON invoices (org_id, client_org_id, number);

CREATE TABLE invoice_lines (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('fee', 'included', 'overage', 'time')),
    description TEXT NOT NULL,
    time_entry_id TEXT REFERENCES time_entries (id),
    agreement_id TEXT REFERENCES agreements (id),
    fee_month TEXT,
    minutes INTEGER NOT NULL DEFAULT 0,
    billed_minutes INTEGER NOT NULL DEFAULT 0,
    rate_cents BIGINT NOT NULL DEFAULT 0,
    amount_cents BIGINT NOT NULL,
    live BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (org_id, invoice_id, position);
CREATE UNIQUE INDEX invoice_lines_entry_once ON invoice_lines (time_entry_id) WHERE live AND time_entry_id IS NOT NULL;
CREATE UNIQUE INDEX invoice_lines_fee_once ON invoice_lines (agreement_id, fee_month) WHERE live AND kind = 'fee';
