ALTER TABLE service_desk_settings DROP COLUMN require_time_entry;
DROP TABLE running_timers;
DROP TABLE time_entries;
