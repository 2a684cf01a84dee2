DROP TABLE ticket_assets;
