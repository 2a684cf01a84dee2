DROP TABLE catalog_mapping_sources;
DROP TABLE catalog_mappings;
DROP TABLE catalog_controls;
DROP TABLE catalog_domains;
DROP TABLE catalog_aliases;
DROP TABLE catalog_requirements;
DROP TABLE catalog_frameworks;
DROP TABLE catalog_meta;
