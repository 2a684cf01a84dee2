DROP TABLE people;
DROP TABLE policy_versions;
DROP TABLE policy_controls;
DROP TABLE policies;
