DROP INDEX people_by_name;
ALTER TABLE campaigns DROP COLUMN signed_count;
ALTER TABLE campaigns DROP COLUMN requested_count;
