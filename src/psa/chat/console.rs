//! The staff side: the console of waiting chats across the clients the person reaches (live over a socket that
//! also marks them available), accepting a chat, the conversation page and its socket, ending with the
//! transcript on a ticket.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;
use serde_json::json;

use super::fanout::ChatEvent;
use super::models::{self, AuthorKind, ChatMessage, ChatSession, ChatStatus, QueuedChat, StaffReach};
use super::presence;
use super::service::{self, TranscriptTo, Writer};
use super::socket::{self, Party};
use crate::AppState;
use crate::audit::Actor;
use crate::auth::{MspScope, session};
use crate::error::{AppError, AppResult};
use crate::orgs::find_org;
use crate::psa::tickets::service::{Author, DeskEnv};
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, redirect, render, render_status};

fn reach_of(scope: &MspScope) -> StaffReach {
    StaffReach { msp: scope.msp_id().clone(), user: scope.user.id.clone(), all_clients: scope.reaches_all_clients() }
}

/// "4 min", "1 h 5 min": how long a chat has waited.
pub fn waited(since: NaiveDateTime, now: NaiveDateTime) -> String {
    let minutes = (now - since).num_minutes().max(0);
    match minutes {
        0 => "under a minute".into(),
        m if m < 60 => format!("{m} min"),
        m => format!("{} h {} min", m / 60, m % 60),
    }
}

pub struct ConsoleRow {
    pub chat: QueuedChat,
    pub waited: String,
    pub mine: bool,
}

fn rows(chats: Vec<QueuedChat>, reach: &StaffReach, now: NaiveDateTime) -> Vec<ConsoleRow> {
    chats
        .into_iter()
        .map(|chat| ConsoleRow {
            waited: waited(chat.started_at, now),
            mine: chat.accepted_by.as_ref() == Some(&reach.user),
            chat,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "psa/chat/console.html")]
struct ConsolePage {
    page: PageContext,
    waiting: Vec<ConsoleRow>,
    mine: Vec<ConsoleRow>,
    waiting_count: i64,
    limit: i64,
}

/// `GET /chat`: waiting chats (oldest first) and the person's own chats in progress.
pub async fn console(state: web::Data<AppState>, scope: MspScope, input: PageInput) -> AppResult<HttpResponse> {
    let reach = reach_of(&scope);
    let now = state.clock.now();
    let (page, (chats, waiting_count)) =
        state.db.run(move |conn| Ok((input.load(conn)?, models::console_queue(conn, &reach)?))).await?;
    let reach = reach_of(&scope);
    let (mine, waiting): (Vec<ConsoleRow>, Vec<ConsoleRow>) =
        rows(chats, &reach, now).into_iter().partition(|r| r.chat.status == ChatStatus::Active);
    render(ConsolePage { page, waiting, mine, waiting_count, limit: models::QUEUE_LIMIT })
}

/// The console's live list, as the socket sends it.
fn queue_frame(chats: Vec<QueuedChat>, waiting: i64, reach: &StaffReach, now: NaiveDateTime) -> String {
    let chats: Vec<_> = rows(chats, reach, now)
        .into_iter()
        .map(|r| {
            json!({
                "id": r.chat.id.as_str(),
                "client": r.chat.client_name,
                "requester": r.chat.requester_name,
                "status": r.chat.status.id(),
                "waited": r.waited,
                "mine": r.mine,
            })
        })
        .collect();
    json!({"type": "queue", "waiting": waiting, "chats": chats}).to_string()
}

/// `GET /chat/ws`: the console's socket. While it is open the person counts as available for their clients'
/// chats; it sends the list again whenever it changes.
pub async fn console_socket(
    state: web::Data<AppState>,
    scope: MspScope,
    req: HttpRequest,
    body: web::Payload,
) -> AppResult<HttpResponse> {
    let (response, ws, stream) = socket::upgrade(&req, body)?;
    let reach = reach_of(&scope);
    let (now, arriving) = (state.clock.now(), reach.clone());
    let presence = state.db.run(move |conn| Ok(presence::arrive(conn, &arriving, now)?)).await?;
    actix_web::rt::spawn(run_console(state, reach, presence, ws, stream));
    Ok(response)
}

async fn run_console(
    state: web::Data<AppState>,
    reach: StaffReach,
    presence_id: crate::db::ids::ChatPresenceId,
    mut ws: actix_ws::Session,
    stream: actix_ws::MessageStream,
) {
    let mut events = state.chat.subscribe_queue().await;
    let mut stream = stream.max_frame_size(socket::MAX_SOCKET_FRAME);
    let mut refresh = tokio::time::interval(presence::REFRESH_EVERY);
    let mut open = send_queue(&state, &reach, &mut ws).await;
    while open {
        open = tokio::select! {
            frame = stream.recv() => match frame {
                Some(Ok(actix_ws::Message::Ping(bytes))) => ws.pong(&bytes).await.is_ok(),
                Some(Ok(actix_ws::Message::Close(_))) | None | Some(Err(_)) => false,
                Some(Ok(actix_ws::Message::Text(_) | actix_ws::Message::Binary(_))) => {
                    ws.text(super::protocol::error("This socket only lists chats.")).await.is_ok()
                }
                Some(Ok(_)) => true,
            },
            event = events.recv() => match event {
                Ok(ChatEvent::Queue { msp }) if msp == reach.msp.as_str() => send_queue(&state, &reach, &mut ws).await,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => send_queue(&state, &reach, &mut ws).await,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => false,
                Ok(_) => true,
            },
            _ = refresh.tick() => {
                let (id, now) = (presence_id.clone(), state.clock.now());
                let _ = state.db.run(move |conn| Ok(presence::refresh(conn, &id, now)?)).await;
                ws.ping(b"").await.is_ok()
            }
        };
    }
    let _ = state.db.run(move |conn| Ok(presence::leave(conn, &presence_id)?)).await;
    let _ = ws.close(None).await;
}

async fn send_queue(state: &AppState, reach: &StaffReach, ws: &mut actix_ws::Session) -> bool {
    let (lookup, now) = (reach.clone(), state.clock.now());
    match state.db.run(move |conn| Ok(models::console_queue(conn, &lookup)?)).await {
        Ok((chats, waiting)) => ws.text(queue_frame(chats, waiting, reach, now)).await.is_ok(),
        Err(_) => true,
    }
}

/// A chat the person reaches, with its client's name, or 404.
async fn chat_for(state: &AppState, scope: &MspScope, id: String) -> AppResult<(ChatSession, String)> {
    let reach = reach_of(scope);
    state
        .db
        .run(move |conn| {
            let chat = models::for_staff(conn, &reach, &id)?.ok_or(AppError::NotFound)?;
            let client = find_org(conn, &chat.org_id)?.ok_or(AppError::NotFound)?;
            Ok((chat, client.name))
        })
        .await
}

/// `POST /chat/{chat_id}/accept`: the first accept wins; the others are told it was taken.
pub async fn accept(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (chat, client_name) = chat_for(&state, &scope, path.into_inner()).await?;
    let (hub, name, target) = (state.clone(), scope.user.name.clone(), chat.clone());
    let outcome = crate::psa::tickets::service::write(&state.db, move |conn| {
        service::accept(conn, &hub.chat, &target, &actor, &name, &client_name)
    })
    .await?;
    match outcome {
        Ok(events) => {
            state.chat.committed(events);
            Ok(redirect(&format!("/chat/{}", chat.id)))
        }
        Err(why) => {
            session::flash_error(&session, why);
            Ok(redirect("/chat"))
        }
    }
}

#[derive(Template)]
#[template(path = "psa/chat/conversation.html")]
struct ConversationPage {
    page: PageContext,
    chat: ChatSession,
    client_name: String,
    requester_name: String,
    messages: Vec<ChatMessage>,
    mine: bool,
    /// The ticket the transcript went on: its number and id (for the link).
    ticket: Option<(i64, String)>,
    form: EndForm,
    errors: FieldErrors,
}

/// `GET /chat/{chat_id}`: the conversation (its messages so far; the socket brings the rest), and the form
/// that ends it.
pub async fn conversation(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (chat, client_name) = chat_for(&state, &scope, path.into_inner()).await?;
    show(&state, &scope, input, chat, client_name, EndForm::default(), FieldErrors::default()).await
}

async fn show(
    state: &AppState,
    scope: &MspScope,
    input: PageInput,
    chat: ChatSession,
    client_name: String,
    form: EndForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let lookup = chat.clone();
    let (page, messages, requester_name, ticket) = state
        .db
        .run(move |conn| {
            let messages = models::messages_after(conn, &lookup.org_id, &lookup.id, 0)?;
            let requester = models::requester_name(conn, &lookup)?;
            let number = match &lookup.ticket_id {
                Some(id) => {
                    crate::psa::tickets::models::by_id(conn, &lookup.org_id, id)?.map(|t| (t.number, t.id.to_string()))
                }
                None => None,
            };
            Ok((input.load(conn)?, messages, requester, number))
        })
        .await?;
    let mine = chat.accepted_by.as_ref() == Some(&scope.user.id);
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        ConversationPage { page, chat, client_name, requester_name, messages, mine, ticket, form, errors },
    )
}

/// `GET /chat/{chat_id}/ws`: the conversation's socket for staff (they write once they accepted it).
pub async fn conversation_socket(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (chat, client_name) = chat_for(&state, &scope, path.into_inner()).await?;
    let (response, ws, stream) = socket::upgrade(&req, body)?;
    let writer = Writer { kind: AuthorKind::Staff, user: Some(scope.user.id.clone()), name: scope.user.name.clone() };
    let party = Party { writer, contact: None, actor, client_name };
    actix_web::rt::spawn(socket::converse(state, chat, party, ws, stream));
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct EndForm {
    /// "new" or "existing".
    #[serde(default)]
    pub save_to: String,
    /// The existing ticket's number.
    #[serde(default)]
    pub ticket: String,
}

/// `POST /chat/{chat_id}/end`: ends the chat and saves its transcript on a new ticket or on an existing ticket
/// of the client, by number.
pub async fn end(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    input: PageInput,
    session: Session,
    path: web::Path<String>,
    form: web::Form<EndForm>,
) -> AppResult<HttpResponse> {
    let (chat, client_name) = chat_for(&state, &scope, path.into_inner()).await?;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let to = match form.save_to.as_str() {
        "existing" => match crate::psa::tickets::models::parse_number(&form.ticket) {
            Some(n) => Some(TranscriptTo::Ticket(n)),
            None => {
                errors.add("ticket", "Enter the number of one of this client's tickets, like 42.");
                None
            }
        },
        "new" | "" => Some(TranscriptTo::NewTicket),
        _ => {
            errors.add("save_to", "Choose where the transcript goes.");
            None
        }
    };
    let Some(to) = to else { return show(&state, &scope, input, chat, client_name, form, errors).await };
    let (hub, env, target, name) = (state.clone(), DeskEnv::of(&state), chat.clone(), client_name.clone());
    let outcome = crate::psa::tickets::service::write(&state.db, move |conn| {
        service::end(conn, &hub.chat, &env, &target, &Author::staff(&actor), &name, to)
    })
    .await?;
    match outcome {
        Ok((ticket, events)) => {
            state.chat.committed(events);
            session::flash_ok(&session, format!("Chat ended. The transcript is on ticket #{}.", ticket.number));
            Ok(redirect(&format!("/chat/{}", chat.id)))
        }
        Err(why) => {
            errors.add("ticket", why);
            show(&state, &scope, input, chat, client_name, form, errors).await
        }
    }
}
