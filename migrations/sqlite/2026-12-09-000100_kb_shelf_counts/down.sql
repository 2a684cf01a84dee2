DROP INDEX kb_articles_shelf_category;
DROP INDEX kb_articles_shelf;
DROP TABLE kb_shelf_counts;
