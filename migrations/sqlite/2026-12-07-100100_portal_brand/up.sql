-- The portal logo as a data: URI, made when it is uploaded: emails to the client's contacts carry it inside them
-- (they are built in the sending transaction, which cannot read file storage).
ALTER TABLE portal_settings ADD COLUMN email_logo TEXT;
