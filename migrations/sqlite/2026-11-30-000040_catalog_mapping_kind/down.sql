ALTER TABLE catalog_mappings DROP COLUMN kind;
