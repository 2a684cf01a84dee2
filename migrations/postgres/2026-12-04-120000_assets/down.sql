DROP TABLE asset_attachments;
DROP TABLE assets;
