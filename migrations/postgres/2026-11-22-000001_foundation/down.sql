DROP TABLE activity_log;
DROP TABLE password_resets;
DROP TABLE invitations;
DROP TABLE technician_assignments;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE organizations;
DROP TABLE installation_settings;
