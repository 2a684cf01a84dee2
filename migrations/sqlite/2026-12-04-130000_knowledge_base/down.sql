DROP TABLE IF EXISTS kb_attachments;
DROP TABLE IF EXISTS kb_feedback;
DROP TABLE IF EXISTS kb_article_versions;
DROP TABLE IF EXISTS kb_articles;
DROP TABLE IF EXISTS kb_search;
