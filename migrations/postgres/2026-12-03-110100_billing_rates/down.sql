ALTER TABLE time_entries DROP COLUMN work_type_id;
DROP TABLE agreement_work_types;
DROP TABLE agreements;
DROP TABLE client_rates;
DROP TABLE client_billing;
DROP TABLE work_types;
