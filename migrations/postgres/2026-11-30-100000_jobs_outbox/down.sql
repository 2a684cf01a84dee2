DROP TABLE outbox;
DROP TABLE scheduled_jobs;
