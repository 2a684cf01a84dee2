DROP TABLE inbound_triage;
DROP TABLE inbound_messages;
