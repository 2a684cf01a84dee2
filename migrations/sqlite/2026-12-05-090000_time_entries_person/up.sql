-- A person's time by day (their week, the timesheet's recent clients), covering the client so the recent clients
-- are read from the index alone.
CREATE INDEX time_entries_person ON time_entries (org_id, user_id, work_date, client_org_id);
