-- Assets of an organization (service desk -> Assets): hardware, cloud services and software licenses. Retiring
-- keeps the row (status 'retired', retired_at), so tickets and the activity log still name it. Serial numbers are
-- stored upper-cased and are unique within an organization (the CSV import matches existing assets by them).
-- Calendar days are TEXT 'YYYY-MM-DD' (db::Day). Every index leads with org_id, then the list's filter or sort.
CREATE TABLE assets (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    asset_type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('in_use', 'in_stock', 'in_repair', 'retired')),
    manufacturer TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    serial_number TEXT,
    operating_system TEXT NOT NULL DEFAULT '',
    ip_address TEXT NOT NULL DEFAULT '',
    mac_address TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    contact_id TEXT REFERENCES contacts (id),
    purchase_date TEXT,
    warranty_expires TEXT,
    seats_used INTEGER,
    seats_purchased INTEGER,
    renewal_date TEXT,
    notes TEXT NOT NULL DEFAULT '',
    retired_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX assets_serial ON assets (org_id, serial_number);
CREATE INDEX assets_name ON assets (org_id, name, id);
CREATE INDEX assets_status ON assets (org_id, status, name);
CREATE INDEX assets_type ON assets (org_id, asset_type, name);
CREATE INDEX assets_contact ON assets (org_id, contact_id, name);
CREATE INDEX assets_warranty ON assets (org_id, warranty_expires);
CREATE INDEX assets_renewal ON assets (org_id, renewal_date);
CREATE INDEX assets_updated ON assets (org_id, updated_at);

CREATE TABLE asset_attachments (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    asset_id TEXT NOT NULL REFERENCES assets (id),
    filename TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by_label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX asset_attachments_asset ON asset_attachments (org_id, asset_id, created_at);
