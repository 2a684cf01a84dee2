-- The MSP's billing profile: the one currency its money is in (ISO 4217, two decimal places, since amounts are
-- integer cents) and the logo on its invoices (stored through `storage`; the row keeps the key). Each invoice
-- keeps the currency it was generated in, so a later change of the profile never changes an invoice.
CREATE TABLE billing_profiles (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    currency TEXT NOT NULL DEFAULT 'USD',
    logo_key TEXT,
    logo_content_type TEXT,
    logo_size BIGINT,
    updated_at TIMESTAMP NOT NULL
);

ALTER TABLE invoices ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD';
