DROP INDEX time_entries_person;
