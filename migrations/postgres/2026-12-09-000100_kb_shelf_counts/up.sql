-- The knowledge base's shelves, counted and kept: per owner, MSP-wide or not, audience and category, how many
-- published articles there are. Every write to kb_articles rebuilds its owner's rows in the same transaction
-- (psa::kb::shelf), so the portal's knowledge-base home reads its categories and totals from a few rows instead
-- of counting every article on each view.
CREATE TABLE kb_shelf_counts (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    msp_wide BOOLEAN NOT NULL,
    audience TEXT NOT NULL,
    category TEXT NOT NULL,
    articles BIGINT NOT NULL,
    PRIMARY KEY (org_id, msp_wide, audience, category)
);
INSERT INTO kb_shelf_counts (org_id, msp_wide, audience, category, articles)
SELECT org_id, msp_wide, audience, category, COUNT(*)
FROM kb_articles WHERE status = 'published' GROUP BY org_id, msp_wide, audience, category;
-- One shelf (an owner's own or MSP-wide articles of an audience) in the order the lists show, all of it and
-- by category: a page of the latest reads its first rows from the index alone, and a rebuild groups from it.
CREATE INDEX kb_articles_shelf ON kb_articles (org_id, msp_wide, audience, status, updated_at, id);
CREATE INDEX kb_articles_shelf_category ON kb_articles (org_id, msp_wide, audience, status, category, updated_at, id);
