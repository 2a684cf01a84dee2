-- Live chat between a client's portal end user and the MSP's staff. A chat belongs to the client (org_id) and is
-- offered to the staff of its MSP (msp_org_id); it waits, is accepted by one person (the first accept wins), and
-- ends with its transcript saved on a ticket of the client. last_seq hands out each message's sequence number
-- (the row lock serializes writers), so a reconnecting socket asks for "everything after N".
CREATE TABLE chat_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    msp_org_id TEXT NOT NULL REFERENCES organizations (id),
    requester_user_id TEXT NOT NULL REFERENCES users (id),
    contact_id TEXT REFERENCES contacts (id),
    status TEXT NOT NULL,
    accepted_by TEXT REFERENCES users (id),
    ticket_id TEXT REFERENCES tickets (id),
    last_seq BIGINT NOT NULL DEFAULT 0,
    started_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    ended_at TIMESTAMP
);
CREATE INDEX chat_sessions_requester ON chat_sessions (org_id, requester_user_id, status);
-- The staff console: an MSP's waiting and active chats, oldest first.
CREATE INDEX chat_sessions_msp_queue ON chat_sessions (msp_org_id, status, started_at);

CREATE TABLE chat_messages (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    session_id TEXT NOT NULL REFERENCES chat_sessions (id),
    seq BIGINT NOT NULL,
    author_kind TEXT NOT NULL,
    author_user_id TEXT REFERENCES users (id),
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX chat_messages_session_seq ON chat_messages (org_id, session_id, seq);

-- Who has the staff console open, one row per open console socket (any instance), refreshed while it stays
-- open: "is anybody available for this client" reads it. all_clients: the person's role reaches every client
-- of the MSP (otherwise only their assigned ones).
CREATE TABLE chat_presence (
    id TEXT PRIMARY KEY NOT NULL,
    msp_org_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    all_clients BOOLEAN NOT NULL,
    seen_at TIMESTAMP NOT NULL
);
CREATE INDEX chat_presence_msp ON chat_presence (msp_org_id, seen_at);
