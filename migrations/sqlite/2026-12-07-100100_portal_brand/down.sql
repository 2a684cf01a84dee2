ALTER TABLE portal_settings DROP COLUMN email_logo;
