DROP TABLE recurring_tickets;
DROP TABLE canned_responses;
DROP TABLE ticket_templates;
