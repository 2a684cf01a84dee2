//! One conversation socket (the end user's or a staff member's): frames in, stored messages out. The socket keeps
//! a cursor, the last sequence number it sent; whatever it hears (a new message here or on another instance, a
//! lag in the fan-out, a resume) it answers by sending the stored messages after the cursor, so nothing is
//! lost and nothing is sent twice.

use std::time::{Duration, Instant};

use actix_web::web;
use actix_ws::{Message, MessageStream, Session};
use tokio::sync::broadcast::error::RecvError;

use super::fanout::ChatEvent;
use super::models::{self, AuthorKind, ChatSession};
use super::protocol::{self, Incoming};
use super::service::{self, TranscriptTo, Writer};
use crate::AppState;
use crate::db::ids::{ChatSessionId, ContactId, OrgId, TicketId};
use crate::error::AppError;
use crate::psa::tickets::service::{Author, AuthorKind as DeskAuthor, DeskEnv, DeskError};

/// Socket frames larger than this are a protocol error (the connection closes); the frames the protocol
/// refuses with an error frame (over 4 KB) are well below it.
pub const MAX_SOCKET_FRAME: usize = 64 * 1024;
const PING_EVERY: Duration = Duration::from_secs(30);
const TYPING_EVERY: Duration = Duration::from_secs(2);

/// Who is on this socket.
#[derive(Clone, Debug)]
pub struct Party {
    pub writer: Writer,
    /// The end user's contact (for the transcript's ticket when they end the chat).
    pub contact: Option<ContactId>,
    /// How the activity log names them.
    pub actor: crate::audit::Actor,
    pub client_name: String,
}

impl Party {
    fn kind(&self) -> AuthorKind {
        self.writer.kind
    }
}

struct Conversation {
    state: web::Data<AppState>,
    org: OrgId,
    chat: ChatSessionId,
    chat_id: String,
    party: Party,
    ws: Session,
    /// The last sequence number sent; None until the browser said hello.
    cursor: Option<i64>,
    last_typing: Option<Instant>,
}

/// Accepts a WebSocket handshake (the guard has already checked the person and the origin).
pub fn upgrade(
    req: &actix_web::HttpRequest,
    body: web::Payload,
) -> Result<(actix_web::HttpResponse, Session, MessageStream), AppError> {
    actix_ws::handle(req, body)
        .map_err(|_| AppError::BadRequest("This address is for the chat's WebSocket connection.".into()))
}

/// Runs the socket until either side closes it.
pub async fn converse(state: web::Data<AppState>, chat: ChatSession, party: Party, ws: Session, stream: MessageStream) {
    let mut events = state.chat.subscribe_chat(chat.id.as_str()).await;
    let mut stream = stream.max_frame_size(MAX_SOCKET_FRAME);
    let mut talk = Conversation {
        state,
        org: chat.org_id.clone(),
        chat_id: chat.id.to_string(),
        chat: chat.id,
        party,
        ws,
        cursor: None,
        last_typing: None,
    };
    let mut ping = tokio::time::interval(PING_EVERY);
    loop {
        let open = tokio::select! {
            frame = stream.recv() => talk.on_frame(frame).await,
            event = events.recv() => talk.on_event(event).await,
            _ = ping.tick() => talk.ws.ping(b"").await.is_ok(),
        };
        if !open {
            break;
        }
    }
    let _ = talk.ws.close(None).await;
}

type Frame = Option<Result<Message, actix_ws::ProtocolError>>;

impl Conversation {
    /// Handles one frame from the browser; false when the socket is done.
    async fn on_frame(&mut self, frame: Frame) -> bool {
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Ping(bytes))) => return self.ws.pong(&bytes).await.is_ok(),
            Some(Ok(Message::Pong(_))) => return true,
            Some(Ok(Message::Binary(_) | Message::Continuation(_))) => {
                return self.send(protocol::error("Frames are JSON text.")).await;
            }
            Some(Ok(Message::Close(_) | Message::Nop)) | None => return false,
            Some(Err(_)) => {
                let _ = self.send(protocol::error("That frame could not be read (64 KB at most).")).await;
                return false;
            }
        };
        match protocol::parse(&text) {
            Err(why) => self.send(protocol::error(why)).await,
            Ok(Incoming::Hello { last_seq }) => self.hello(last_seq).await,
            Ok(Incoming::Message { body, client_id }) => self.write(body, client_id).await,
            Ok(Incoming::Typing) => self.typing().await,
            Ok(Incoming::End) => self.end().await,
        }
    }

    async fn on_event(&mut self, event: Result<ChatEvent, RecvError>) -> bool {
        match event {
            Ok(ChatEvent::Message { chat, .. }) if chat == self.chat_id => self.catch_up().await,
            Ok(ChatEvent::Typing { chat, author }) if chat == self.chat_id && author != self.party.kind() => {
                self.cursor.is_none() || self.send(protocol::typing(author)).await
            }
            Ok(ChatEvent::Status { chat }) if chat == self.chat_id => self.status().await,
            Ok(_) => true,
            // Fell behind the fan-out: the table has everything.
            Err(RecvError::Lagged(_)) => self.catch_up().await,
            Err(RecvError::Closed) => false,
        }
    }

    async fn send(&mut self, frame: String) -> bool {
        self.ws.text(frame).await.is_ok()
    }

    async fn load(&self) -> Result<Option<ChatSession>, AppError> {
        let (org, id) = (self.org.clone(), self.chat_id.clone());
        self.state.db.run(move |conn| Ok(models::in_client(conn, &org, &id)?)).await
    }

    async fn hello(&mut self, last_seq: i64) -> bool {
        let Ok(Some(chat)) = self.load().await else { return self.send(protocol::error("This chat is gone.")).await };
        self.cursor = Some(last_seq.min(chat.last_seq));
        self.send(protocol::welcome(&chat)).await && self.catch_up().await
    }

    /// Sends every stored message after the cursor.
    async fn catch_up(&mut self) -> bool {
        let Some(after) = self.cursor else { return true };
        let (org, chat) = (self.org.clone(), self.chat.clone());
        let loaded = self.state.db.run(move |conn| Ok(models::messages_after(conn, &org, &chat, after)?)).await;
        let Ok(messages) = loaded else { return self.send(protocol::error("Messages could not be loaded.")).await };
        for m in messages {
            if Some(m.seq) <= self.cursor {
                continue;
            }
            self.cursor = Some(m.seq);
            if !self.send(protocol::message(&m)).await {
                return false;
            }
        }
        true
    }

    async fn write(&mut self, body: String, client_id: Option<String>) -> bool {
        let (state, org, id, party) = (self.state.clone(), self.org.clone(), self.chat_id.clone(), self.party.clone());
        let now = state.clock.now();
        let hub = state.clone();
        let written = crate::psa::tickets::service::write(&state.db, move |conn| {
            let chat = models::in_client(conn, &org, &id)?.ok_or(diesel::result::Error::NotFound)?;
            check_may_write(&chat, &party)?;
            service::post(conn, &hub.chat, &chat, &party.writer, &body, now)
        })
        .await;
        match written {
            Ok(Ok((seq, events))) => {
                self.state.chat.committed(events);
                // The message hid the typing notice on the other side: the next keystroke may show it again.
                self.last_typing = None;
                self.send(protocol::ack(seq, client_id.as_deref())).await
            }
            Ok(Err(why)) => self.send(protocol::error(&why)).await,
            Err(_) => self.send(protocol::error("The message could not be saved. Send it again.")).await,
        }
    }

    async fn typing(&mut self) -> bool {
        if self.last_typing.is_some_and(|at| at.elapsed() < TYPING_EVERY) {
            return true;
        }
        self.last_typing = Some(Instant::now());
        let events = vec![ChatEvent::Typing { chat: self.chat_id.clone(), author: self.party.kind() }];
        let (state, staged) = (self.state.clone(), events.clone());
        let sent = self.state.db.run(move |conn| Ok(state.chat.stage(conn, &staged)?)).await;
        if sent.is_ok() {
            self.state.chat.committed(events);
        }
        true
    }

    /// The end user leaves: the chat ends and its transcript goes on a new ticket.
    async fn end(&mut self) -> bool {
        if self.party.kind() != AuthorKind::EndUser {
            return self.send(protocol::error("End the chat from the console, choosing the ticket.")).await;
        }
        let (state, org, id, party) = (self.state.clone(), self.org.clone(), self.chat_id.clone(), self.party.clone());
        let (env, now, db) = (DeskEnv::of(&state), state.clock.now(), state.db.clone());
        let ended = crate::psa::tickets::service::write(&db, move |conn| {
            let chat = models::in_client(conn, &org, &id)?.ok_or(diesel::result::Error::NotFound)?;
            let author = end_user_author(conn, &org, &party, now)?;
            service::end(conn, &state.chat, &env, &chat, &author, &party.client_name, TranscriptTo::NewTicket)
        })
        .await;
        match ended {
            Ok(Ok((_, events))) => {
                self.state.chat.committed(events);
                true
            }
            Ok(Err(why)) => self.send(protocol::error(&why)).await,
            Err(_) => self.send(protocol::error("The chat could not be ended. Try again.")).await,
        }
    }

    async fn status(&mut self) -> bool {
        let (org, id) = (self.org.clone(), self.chat_id.clone());
        let loaded = self
            .state
            .db
            .run(move |conn| {
                let Some(chat) = models::in_client(conn, &org, &id)? else { return Ok(None) };
                let number = match &chat.ticket_id {
                    Some(ticket) => ticket_number(conn, &org, ticket)?,
                    None => None,
                };
                Ok(Some((chat, number)))
            })
            .await;
        match loaded {
            Ok(Some((chat, number))) => self.send(protocol::status(&chat, number)).await,
            _ => true,
        }
    }
}

fn ticket_number(conn: &mut crate::db::DbConnection, org: &OrgId, id: &TicketId) -> diesel::QueryResult<Option<i64>> {
    Ok(crate::psa::tickets::models::by_id(conn, org, id)?.map(|t| t.number))
}

/// Staff write once they accepted the chat; the end user while it is theirs; nobody after it ended.
fn check_may_write(chat: &ChatSession, party: &Party) -> Result<(), DeskError> {
    let allowed = match party.kind() {
        AuthorKind::Staff => chat.accepted_by.is_some() && chat.accepted_by == party.writer.user,
        AuthorKind::EndUser => Some(&chat.requester_user_id) == party.writer.user.as_ref(),
        AuthorKind::System => false,
    };
    if !chat.is_open() {
        return Err(DeskError::Refused("This chat has ended.".into()));
    }
    if !allowed {
        return Err(DeskError::Refused("Accept the chat before writing in it.".into()));
    }
    Ok(())
}

/// The end user as the ticket service's author: their contact when they have one, else themselves by name.
fn end_user_author(
    conn: &mut crate::db::DbConnection,
    org: &OrgId,
    party: &Party,
    now: chrono::NaiveDateTime,
) -> Result<Author, DeskError> {
    let contact = match &party.contact {
        Some(id) => crate::psa::contacts::models::find(conn, org, id)?,
        None => None,
    };
    Ok(match contact {
        Some(contact) => Author::contact(&contact, now),
        None => Author { actor: crate::audit::Actor { at: now, ..party.actor.clone() }, kind: DeskAuthor::System },
    })
}
