DROP TABLE portal_accounts;
