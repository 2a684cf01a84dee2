-- Knowledge-base articles. org_id is the owner: the MSP for an MSP-wide article (msp_wide: readable in every
-- client of that MSP), otherwise the one organization whose article it is. audience: internal (staff only) or
-- public (also the client's portal users); status: draft, published or archived. version counts the saves
-- (each one a row of kb_article_versions). doc_id is the integer the search index knows the article by.
CREATE TABLE kb_articles (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    doc_id BIGINT NOT NULL UNIQUE,
    msp_wide BOOLEAN NOT NULL,
    audience TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL,
    view_count BIGINT NOT NULL DEFAULT 0,
    helpful_count INTEGER NOT NULL DEFAULT 0,
    unhelpful_count INTEGER NOT NULL DEFAULT 0,
    source_ticket_id TEXT,
    created_by_user_id TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);
CREATE INDEX kb_articles_list ON kb_articles (org_id, status, updated_at);
CREATE INDEX kb_articles_views ON kb_articles (org_id, view_count);

-- Every save of an article: who, when, and the title and body as they were saved.
CREATE TABLE kb_article_versions (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    article_id TEXT NOT NULL REFERENCES kb_articles (id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author_user_id TEXT REFERENCES users (id),
    author_label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX kb_article_versions_number ON kb_article_versions (org_id, article_id, version);

-- "Did this help?": one answer per reader and article (changing it moves the counts on the article).
CREATE TABLE kb_feedback (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    article_id TEXT NOT NULL REFERENCES kb_articles (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    helpful BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (article_id, user_id)
);
CREATE INDEX kb_feedback_org ON kb_feedback (org_id, article_id);

-- Files attached to an article (kept in storage).
CREATE TABLE kb_attachments (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    article_id TEXT NOT NULL REFERENCES kb_articles (id),
    filename TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by_label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX kb_attachments_article ON kb_attachments (org_id, article_id);

-- The search index: published articles only, kept in step by the application in the transaction of every
-- article write. Contentless (the text lives in kb_articles); rowid = kb_articles.doc_id. shelf holds tokens
-- saying where the article may be read (c<org> for one organization, m<msp> for every client of an MSP, pub for
-- public ones), so one MATCH both finds and scopes.
CREATE VIRTUAL TABLE kb_search USING fts5(
    title, body, shelf,
    content='', contentless_delete=1,
    tokenize='porter unicode61 remove_diacritics 2'
);
