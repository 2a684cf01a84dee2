DROP TABLE chat_presence;
DROP TABLE chat_messages;
DROP TABLE chat_sessions;
