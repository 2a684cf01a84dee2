ALTER TABLE invoices DROP COLUMN currency;
DROP TABLE billing_profiles;
