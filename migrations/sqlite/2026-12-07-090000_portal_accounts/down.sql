DROP TABLE portal_accounts;
DROP TABLE portal_settings;
