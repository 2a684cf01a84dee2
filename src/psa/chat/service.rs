//! Changing chats: start, write, accept, end with the transcript on a ticket. Each runs inside the caller's write
//! transaction and returns the events to fan out once it commits (see `fanout`); `ChatHub::stage` is called
//! here, inside the transaction, so PostgreSQL's notifications go out exactly when the rows are there.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::fanout::{ChatEvent, ChatHub};
use super::models::{self, AuthorKind, ChatSession, ChatStatus};
use crate::audit::{self, Action, Actor, Target};
use crate::db::DbConnection;
use crate::db::ids::{ChatMessageId, ChatSessionId, ContactId, OrgId, UserId};
use crate::psa::contacts::models as contacts;
use crate::psa::tickets::models::{self as tickets, TicketSource};
use crate::psa::tickets::service::{self as desk, Author, DeskEnv, DeskError, NewTicket, Reply, TicketRef};
use crate::schema::{chat_messages, chat_sessions};

/// Longest chat message, in bytes (a frame carrying more is refused).
pub const MAX_MESSAGE_BYTES: usize = 4096;

/// Who writes in a chat.
#[derive(Clone, Debug)]
pub struct Writer {
    pub kind: AuthorKind,
    pub user: Option<UserId>,
    pub name: String,
}

/// Why a chat change was refused (shown to the person), or a database failure.
pub type ChatResult<T> = Result<T, DeskError>;

fn refuse<T>(why: &str) -> ChatResult<T> {
    Err(DeskError::Refused(why.to_string()))
}

/// The end user's open chat in the client, or a new waiting one: (chat, whether it was just started).
pub fn start(
    conn: &mut DbConnection,
    hub: &ChatHub,
    client: &OrgId,
    msp: &OrgId,
    user: &UserId,
    contact: Option<&ContactId>,
    now: NaiveDateTime,
) -> ChatResult<(ChatSession, Vec<ChatEvent>)> {
    if let Some(open) = models::open_of(conn, client, user)? {
        return Ok((open, Vec::new()));
    }
    let id = ChatSessionId::new();
    diesel::insert_into(chat_sessions::table)
        .values((
            chat_sessions::id.eq(&id),
            chat_sessions::org_id.eq(client),
            chat_sessions::msp_org_id.eq(msp),
            chat_sessions::requester_user_id.eq(user),
            chat_sessions::contact_id.eq(contact),
            chat_sessions::status.eq(ChatStatus::Waiting),
            chat_sessions::last_seq.eq(0i64),
            chat_sessions::started_at.eq(now),
        ))
        .execute(conn)?;
    let chat = models::in_client(conn, client, &id)?.ok_or(diesel::result::Error::NotFound)?;
    let events = vec![ChatEvent::Queue { msp: msp.to_string() }];
    hub.stage(conn, &events)?;
    Ok((chat, events))
}

/// Stores a message under the chat's next sequence number (the update takes the row's lock, so concurrent
/// writers queue) and returns that number.
pub fn post(
    conn: &mut DbConnection,
    hub: &ChatHub,
    chat: &ChatSession,
    writer: &Writer,
    body: &str,
    now: NaiveDateTime,
) -> ChatResult<(i64, Vec<ChatEvent>)> {
    let body = body.trim();
    if body.is_empty() {
        return refuse("Write a message first.");
    }
    if body.len() > MAX_MESSAGE_BYTES {
        return refuse("That message is too long (4 KB at most).");
    }
    let seq = insert_message(conn, chat, writer, body, now)?;
    let events = vec![ChatEvent::Message { chat: chat.id.to_string(), seq }];
    hub.stage(conn, &events)?;
    Ok((seq, events))
}

fn insert_message(
    conn: &mut DbConnection,
    chat: &ChatSession,
    writer: &Writer,
    body: &str,
    now: NaiveDateTime,
) -> ChatResult<i64> {
    let open = chat_sessions::table
        .filter(chat_sessions::org_id.eq(&chat.org_id))
        .filter(chat_sessions::id.eq(&chat.id))
        .filter(chat_sessions::status.ne(ChatStatus::Ended));
    let updated = diesel::update(open).set(chat_sessions::last_seq.eq(chat_sessions::last_seq + 1)).execute(conn)?;
    if updated == 0 {
        return refuse("This chat has ended.");
    }
    let seq: i64 =
        chat_sessions::table.filter(chat_sessions::id.eq(&chat.id)).select(chat_sessions::last_seq).first(conn)?;
    diesel::insert_into(chat_messages::table)
        .values((
            chat_messages::id.eq(ChatMessageId::new()),
            chat_messages::org_id.eq(&chat.org_id),
            chat_messages::session_id.eq(&chat.id),
            chat_messages::seq.eq(seq),
            chat_messages::author_kind.eq(writer.kind),
            chat_messages::author_user_id.eq(writer.user.as_ref()),
            chat_messages::author_name.eq(&writer.name),
            chat_messages::body.eq(body),
            chat_messages::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(seq)
}

fn system(name: &str) -> Writer {
    Writer { kind: AuthorKind::System, user: None, name: name.to_string() }
}

fn label(chat: &ChatSession, client_name: &str) -> String {
    format!("Chat of {client_name} started {}", chat.started_at.format("%Y-%m-%d %H:%M"))
}

/// Accepts a waiting chat for the staff member: the first accept wins; a chat someone else took is refused.
pub fn accept(
    conn: &mut DbConnection,
    hub: &ChatHub,
    chat: &ChatSession,
    actor: &Actor,
    staff_name: &str,
    client_name: &str,
) -> ChatResult<Vec<ChatEvent>> {
    let Some(user) = actor.user_id.clone() else { return refuse("Sign in to accept chats.") };
    let waiting = chat_sessions::table
        .filter(chat_sessions::org_id.eq(&chat.org_id))
        .filter(chat_sessions::id.eq(&chat.id))
        .filter(chat_sessions::status.eq(ChatStatus::Waiting));
    let taken = diesel::update(waiting)
        .set((
            chat_sessions::status.eq(ChatStatus::Active),
            chat_sessions::accepted_by.eq(&user),
            chat_sessions::accepted_at.eq(actor.at),
        ))
        .execute(conn)?;
    if taken == 0 {
        return refuse("Someone else already accepted this chat, or it has ended.");
    }
    let seq = insert_message(conn, chat, &system(staff_name), &format!("{staff_name} joined the chat."), actor.at)?;
    audit::record(
        conn,
        actor,
        Some(&chat.org_id),
        Action::ChatAccepted,
        Target::new("chat", &chat.id, &label(chat, client_name)),
    )?;
    let events = vec![
        ChatEvent::Message { chat: chat.id.to_string(), seq },
        ChatEvent::Status { chat: chat.id.to_string() },
        ChatEvent::Queue { msp: chat.msp_org_id.to_string() },
    ];
    hub.stage(conn, &events)?;
    Ok(events)
}

/// Where an ended chat's transcript goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TranscriptTo {
    /// A new ticket of the client, requested by the chat's contact.
    NewTicket,
    /// An existing ticket of the client, by number.
    Ticket(i64),
}

/// Ends an open chat: the transcript goes on a ticket (as the author's public reply on an existing one, or as
/// the description of a new one), the chat closes and the activity log says where the transcript went.
pub fn end(
    conn: &mut DbConnection,
    hub: &ChatHub,
    env: &DeskEnv,
    chat: &ChatSession,
    author: &Author,
    client_name: &str,
    to: TranscriptTo,
) -> ChatResult<(TicketRef, Vec<ChatEvent>)> {
    if !chat.is_open() {
        return refuse("This chat has already ended.");
    }
    let seq = insert_message(conn, chat, &system(&author.name()), "The chat has ended.", author.at())?;
    let transcript = transcript(conn, chat)?;
    let ticket = match to {
        TranscriptTo::Ticket(number) => {
            let Some(ticket) = tickets::by_number(conn, &chat.org_id, number)? else {
                return refuse("There is no ticket with that number for this client.");
            };
            let reply = Reply { body: transcript, internal: false, attachments: Vec::new(), message_id: None };
            desk::add_reply(conn, env, &chat.org_id, &ticket.id, author, reply)?;
            TicketRef { id: ticket.id, number: ticket.number }
        }
        TranscriptTo::NewTicket => {
            let requester = match &chat.contact_id {
                Some(id) => contacts::find(conn, &chat.org_id, id)?.map(|c| c.id),
                None => None,
            };
            let mut new = NewTicket::new(&format!("Chat on {}", chat.started_at.format("%Y-%m-%d %H:%M")), &transcript);
            new.requester = requester;
            new.source = TicketSource::Portal;
            new.notify_requester = false;
            desk::open_ticket(conn, env, &chat.org_id, author, new)?
        }
    };
    let open = chat_sessions::table
        .filter(chat_sessions::org_id.eq(&chat.org_id))
        .filter(chat_sessions::id.eq(&chat.id))
        .filter(chat_sessions::status.ne(ChatStatus::Ended));
    diesel::update(open)
        .set((
            chat_sessions::status.eq(ChatStatus::Ended),
            chat_sessions::ticket_id.eq(&ticket.id),
            chat_sessions::ended_at.eq(author.at()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &author.actor,
        Some(&chat.org_id),
        Action::ChatEnded,
        Target::new("chat", &chat.id, &label(chat, client_name)).details(format!("ticket #{}", ticket.number)),
    )?;
    let events = vec![
        ChatEvent::Message { chat: chat.id.to_string(), seq },
        ChatEvent::Status { chat: chat.id.to_string() },
        ChatEvent::Queue { msp: chat.msp_org_id.to_string() },
    ];
    hub.stage(conn, &events)?;
    Ok((ticket, events))
}

/// The chat as markdown: one line per message, "**Name** (HH:MM UTC): text".
fn transcript(conn: &mut DbConnection, chat: &ChatSession) -> QueryResult<String> {
    let messages = models::messages_after(conn, &chat.org_id, &chat.id, 0)?;
    let mut text = format!("Chat transcript ({} UTC)\n\n", chat.started_at.format("%Y-%m-%d %H:%M"));
    for m in messages {
        let body = m.body.replace('\n', "  \n");
        text.push_str(&format!("**{}** ({}): {}\n\n", m.author_name, m.created_at.format("%H:%M"), body));
    }
    Ok(text)
}
