-- Two kinds of mapping between a common control and a requirement: primary (implementing the control is part of
-- meeting the requirement; scores use only these) and related (the control contributes or overlaps; crosswalks and
-- "what else this work helps", never scores). Related mappings carry no relationship (stored as '').
ALTER TABLE catalog_mappings ADD COLUMN kind TEXT NOT NULL DEFAULT 'primary' CHECK (kind IN ('primary', 'related'));
