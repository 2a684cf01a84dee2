DROP TABLE portal_access_requests;
