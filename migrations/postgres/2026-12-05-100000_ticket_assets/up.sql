-- Assets a ticket is about (the ticket page lists them, the asset page lists its tickets). One row per pair;
-- both must belong to the row's organization (the application checks it through the scope). linked_by is the
-- label of who linked them, as the activity log writes it.
CREATE TABLE ticket_assets (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    asset_id TEXT NOT NULL REFERENCES assets (id),
    linked_by TEXT NOT NULL,
    linked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, asset_id)
);
CREATE INDEX ticket_assets_ticket ON ticket_assets (org_id, ticket_id, linked_at);
CREATE INDEX ticket_assets_asset ON ticket_assets (org_id, asset_id, linked_at);
