//! Chat sessions and their messages: rows and the queries the sockets, the console and the portal share.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::ids::{ChatMessageId, ChatSessionId, ContactId, OrgId, TicketId, UserId};
use crate::schema::{chat_messages, chat_sessions, organizations, technician_assignments};

crate::text_enum! {
    /// Where a chat stands: waiting for staff, accepted by one person, over (transcript on a ticket).
    pub enum ChatStatus {
        Waiting = "waiting",
        Active = "active",
        Ended = "ended",
    }
}

impl ChatStatus {
    pub fn label(self) -> &'static str {
        match self {
            ChatStatus::Waiting => "Waiting",
            ChatStatus::Active => "In progress",
            ChatStatus::Ended => "Ended",
        }
    }
}

crate::text_enum! {
    /// Who wrote a chat message.
    pub enum AuthorKind {
        EndUser = "end_user",
        Staff = "staff",
        System = "system",
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = chat_sessions)]
pub struct ChatSession {
    pub id: ChatSessionId,
    pub org_id: OrgId,
    pub msp_org_id: OrgId,
    pub requester_user_id: UserId,
    pub contact_id: Option<ContactId>,
    pub status: ChatStatus,
    pub accepted_by: Option<UserId>,
    pub ticket_id: Option<TicketId>,
    pub last_seq: i64,
    pub started_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
}

impl ChatSession {
    pub fn is_open(&self) -> bool {
        self.status != ChatStatus::Ended
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = chat_messages)]
pub struct ChatMessage {
    pub id: ChatMessageId,
    pub seq: i64,
    pub author_kind: AuthorKind,
    pub author_user_id: Option<UserId>,
    pub author_name: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// The chat of a client by id (ids from URLs and frames go through an organization: here the client's).
pub fn in_client(conn: &mut DbConnection, client: &OrgId, id: &str) -> QueryResult<Option<ChatSession>> {
    chat_sessions::table
        .filter(chat_sessions::org_id.eq(client))
        .filter(chat_sessions::id.eq(id))
        .select(ChatSession::as_select())
        .first(conn)
        .optional()
}

/// A chat of one of the MSP's clients by id, whichever client: the caller checks the person reaches it.
pub fn in_msp(conn: &mut DbConnection, msp: &OrgId, id: &str) -> QueryResult<Option<ChatSession>> {
    chat_sessions::table
        .filter(chat_sessions::msp_org_id.eq(msp))
        .filter(chat_sessions::id.eq(id))
        .select(ChatSession::as_select())
        .first(conn)
        .optional()
}

/// The end user's chat in this client that is not over yet, if any (one at a time).
pub fn open_of(conn: &mut DbConnection, client: &OrgId, user: &UserId) -> QueryResult<Option<ChatSession>> {
    chat_sessions::table
        .filter(chat_sessions::org_id.eq(client))
        .filter(chat_sessions::requester_user_id.eq(user))
        .filter(chat_sessions::status.ne(ChatStatus::Ended))
        .order(chat_sessions::started_at.desc())
        .select(ChatSession::as_select())
        .first(conn)
        .optional()
}

/// The messages of a chat after sequence number `after`, in order (all of them from 0).
pub fn messages_after(
    conn: &mut DbConnection,
    client: &OrgId,
    session: &ChatSessionId,
    after: i64,
) -> QueryResult<Vec<ChatMessage>> {
    chat_messages::table
        .filter(chat_messages::org_id.eq(client))
        .filter(chat_messages::session_id.eq(session))
        .filter(chat_messages::seq.gt(after))
        .order(chat_messages::seq.asc())
        .select(ChatMessage::as_select())
        .load(conn)
}

/// A chat as the staff console lists it.
#[derive(Clone, Debug)]
pub struct QueuedChat {
    pub id: ChatSessionId,
    pub client_name: String,
    pub requester_name: String,
    pub status: ChatStatus,
    pub accepted_by: Option<UserId>,
    pub started_at: NaiveDateTime,
}

/// Whose chats the console shows: the MSP's, limited to the assigned clients for roles that do not reach all.
#[derive(Clone, Debug)]
pub struct StaffReach {
    pub msp: OrgId,
    pub user: UserId,
    pub all_clients: bool,
}

/// How many waiting chats the console lists at most (the oldest first; the count says how many wait in all).
pub const QUEUE_LIMIT: i64 = 50;

type QueueRow = (ChatSessionId, String, String, ChatStatus, Option<UserId>, NaiveDateTime);

/// The waiting chats the person reaches (oldest first, at most `QUEUE_LIMIT`) and the person's own active
/// ones, with how many wait in all. Two statements.
pub fn console_queue(conn: &mut DbConnection, reach: &StaffReach) -> QueryResult<(Vec<QueuedChat>, i64)> {
    use crate::schema::users;
    let mut query = chat_sessions::table
        .inner_join(organizations::table.on(organizations::id.eq(chat_sessions::org_id)))
        .inner_join(users::table.on(users::id.eq(chat_sessions::requester_user_id)))
        .filter(chat_sessions::msp_org_id.eq(&reach.msp))
        .filter(
            chat_sessions::status
                .eq(ChatStatus::Waiting)
                .or(chat_sessions::status.eq(ChatStatus::Active).and(chat_sessions::accepted_by.eq(&reach.user))),
        )
        .into_boxed();
    let mut count = chat_sessions::table
        .filter(chat_sessions::msp_org_id.eq(&reach.msp))
        .filter(chat_sessions::status.eq(ChatStatus::Waiting))
        .into_boxed();
    if !reach.all_clients {
        let assigned = technician_assignments::table
            .filter(technician_assignments::user_id.eq(reach.user.clone()))
            .select(technician_assignments::org_id);
        query = query.filter(chat_sessions::org_id.eq_any(assigned));
        let assigned = technician_assignments::table
            .filter(technician_assignments::user_id.eq(reach.user.clone()))
            .select(technician_assignments::org_id);
        count = count.filter(chat_sessions::org_id.eq_any(assigned));
    }
    let rows: Vec<QueueRow> = query
        .order(chat_sessions::started_at.asc())
        .limit(QUEUE_LIMIT)
        .select((
            chat_sessions::id,
            organizations::name,
            users::name,
            chat_sessions::status,
            chat_sessions::accepted_by,
            chat_sessions::started_at,
        ))
        .load(conn)?;
    let waiting = count.count().get_result(conn)?;
    let chats = rows
        .into_iter()
        .map(|(id, client_name, requester_name, status, accepted_by, started_at)| QueuedChat {
            id,
            client_name,
            requester_name,
            status,
            accepted_by,
            started_at,
        })
        .collect();
    Ok((chats, waiting))
}

/// Does the person reach this client of their MSP (every client, or an assigned one)?
pub fn reaches(conn: &mut DbConnection, reach: &StaffReach, client: &OrgId) -> QueryResult<bool> {
    if reach.all_clients {
        return Ok(true);
    }
    let n: i64 = technician_assignments::table
        .filter(technician_assignments::org_id.eq(client))
        .filter(technician_assignments::user_id.eq(&reach.user))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A chat the person may see: one of their MSP's, of a client they reach; None otherwise (404).
pub fn for_staff(conn: &mut DbConnection, reach: &StaffReach, id: &str) -> QueryResult<Option<ChatSession>> {
    let Some(chat) = in_msp(conn, &reach.msp, id)? else { return Ok(None) };
    Ok(if reaches(conn, reach, &chat.org_id)? { Some(chat) } else { None })
}

/// The name of the person who started a chat.
pub fn requester_name(conn: &mut DbConnection, chat: &ChatSession) -> QueryResult<String> {
    use crate::schema::users;
    users::table.find(&chat.requester_user_id).select(users::name).first(conn)
}
