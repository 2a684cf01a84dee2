-- The compliance catalog: global reference data shared by every organization (no org_id). Loaded from the data
-- embedded in the binary (src/compliance/catalog/data) at start-up and by `palisade migrate`. Rows are keyed by
-- their stable catalog ids and retired (retired_at), never deleted, so organization data can reference them.

-- One row (id = 1): the catalog version and content hash last loaded.
CREATE TABLE catalog_meta (
    id INTEGER PRIMARY KEY NOT NULL,
    version TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

CREATE TABLE catalog_frameworks (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    version TEXT NOT NULL,
    publisher TEXT NOT NULL,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    levels TEXT NOT NULL,          -- JSON array of level names, top-down
    sources TEXT NOT NULL,         -- JSON array of the official documents
    position INTEGER NOT NULL,
    retired_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE catalog_requirements (
    framework_id TEXT NOT NULL REFERENCES catalog_frameworks (id),
    requirement_id TEXT NOT NULL,
    parent_id TEXT,
    top_id TEXT NOT NULL,          -- the top-level ancestor (itself at the top): the framework page's groups
    kind TEXT NOT NULL,
    depth INTEGER NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    assessable BOOLEAN NOT NULL,
    attributes TEXT NOT NULL,      -- JSON object, string -> string
    position INTEGER NOT NULL,     -- official order within the framework
    id_norm TEXT NOT NULL,         -- normal form of the identifier, for search
    search_text TEXT NOT NULL,     -- lower-case id, aliases, title and summary, for search
    retired_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (framework_id, requirement_id)
);
CREATE INDEX catalog_requirements_order ON catalog_requirements (framework_id, position);
CREATE INDEX catalog_requirements_id_norm ON catalog_requirements (id_norm);

CREATE TABLE catalog_aliases (
    framework_id TEXT NOT NULL,
    requirement_id TEXT NOT NULL,
    alias TEXT NOT NULL,
    alias_norm TEXT NOT NULL,
    PRIMARY KEY (framework_id, requirement_id, alias),
    FOREIGN KEY (framework_id, requirement_id) REFERENCES catalog_requirements (framework_id, requirement_id)
);
CREATE INDEX catalog_aliases_norm ON catalog_aliases (alias_norm);

CREATE TABLE catalog_domains (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    position INTEGER NOT NULL,
    retired_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE catalog_controls (
    id TEXT PRIMARY KEY NOT NULL,
    domain_id TEXT NOT NULL REFERENCES catalog_domains (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    evidence TEXT NOT NULL,        -- JSON array of {kind, what}
    position INTEGER NOT NULL,
    retired_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX catalog_controls_domain ON catalog_controls (domain_id, position);

CREATE TABLE catalog_mappings (
    control_id TEXT NOT NULL REFERENCES catalog_controls (id),
    framework_id TEXT NOT NULL,
    requirement_id TEXT NOT NULL,
    relationship TEXT NOT NULL,    -- equal | subset | superset | intersects (the control relative to the requirement)
    note TEXT NOT NULL,
    position INTEGER NOT NULL,     -- order in the mapping file
    PRIMARY KEY (control_id, framework_id, requirement_id),
    FOREIGN KEY (framework_id, requirement_id) REFERENCES catalog_requirements (framework_id, requirement_id)
);
CREATE INDEX catalog_mappings_requirement ON catalog_mappings (framework_id, requirement_id);

-- The published crosswalks (or our own reading) each framework's mappings were checked against, per pair.
CREATE TABLE catalog_mapping_sources (
    framework_id TEXT NOT NULL REFERENCES catalog_frameworks (id),
    position INTEGER NOT NULL,
    other_framework TEXT NOT NULL,  -- the other side of the pair: a framework id, or "ccf"
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (framework_id, position)
);
