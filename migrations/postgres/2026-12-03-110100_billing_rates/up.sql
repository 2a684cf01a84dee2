-- What an MSP charges: work types with a default hourly rate, per-client rate overrides, per-client rounding and
-- tax, and agreements (a monthly fee with included hours). Money is integer cents in the MSP's one currency; tax
-- rates are basis points (1/100 of a percent).
CREATE TABLE work_types (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    hourly_rate_cents BIGINT NOT NULL CHECK (hourly_rate_cents >= 0),
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX work_types_name ON work_types (org_id, name);

-- A client's billing terms at its MSP (org_id): rounding of each entry and the tax rate.
CREATE TABLE client_billing (
    client_org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    org_id TEXT NOT NULL REFERENCES organizations (id),
    round_up_to_minutes INTEGER NOT NULL DEFAULT 0 CHECK (round_up_to_minutes >= 0 AND round_up_to_minutes <= 240),
    minimum_minutes INTEGER NOT NULL DEFAULT 0 CHECK (minimum_minutes >= 0 AND minimum_minutes <= 480),
    tax_rate_bp INTEGER NOT NULL DEFAULT 0 CHECK (tax_rate_bp >= 0 AND tax_rate_bp <= 10000),
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX client_billing_org ON client_billing (org_id, client_org_id);

CREATE TABLE client_rates (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    client_org_id TEXT NOT NULL REFERENCES organizations (id),
    work_type_id TEXT NOT NULL REFERENCES work_types (id),
    hourly_rate_cents BIGINT NOT NULL CHECK (hourly_rate_cents >= 0),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX client_rates_one ON client_rates (org_id, client_org_id, work_type_id);

-- Dates are YYYY-MM-DD; ends_on is the last day covered (none: open-ended).
CREATE TABLE agreements (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    client_org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    monthly_fee_cents BIGINT NOT NULL CHECK (monthly_fee_cents >= 0),
    included_minutes INTEGER NOT NULL CHECK (included_minutes >= 0),
    overage_rate_cents BIGINT NOT NULL CHECK (overage_rate_cents >= 0),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agreements_client ON agreements (org_id, client_org_id, starts_on);

-- The work types an agreement covers (its included hours count time of these types).
CREATE TABLE agreement_work_types (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    work_type_id TEXT NOT NULL REFERENCES work_types (id),
    org_id TEXT NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (agreement_id, work_type_id)
);
CREATE INDEX agreement_work_types_org ON agreement_work_types (org_id, agreement_id);

ALTER TABLE time_entries ADD COLUMN work_type_id TEXT REFERENCES work_types (id);
