//! The end user's side of live chat: the chat page (the widget, which needs JavaScript), its socket, and "leave a
//! message" (a plain form that opens a ticket) when nobody can chat: outside the client's business hours or
//! when no staff member has the console open.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::AppState;
use crate::audit::Actor;
use crate::auth::Permission::UsePortal;
use crate::auth::portal::PortalScope;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::orgs::{Organization, find_org};
use crate::portal::Chrome;
use crate::portal::routes::{get, post};
use crate::psa::chat::models::{self, AuthorKind, ChatMessage, ChatSession};
use crate::psa::chat::presence::{self, Unavailable};
use crate::psa::chat::service::{self, Writer};
use crate::psa::chat::socket::{self, Party};
use crate::psa::contacts::models as contacts;
use crate::psa::tickets::models::TicketSource;
use crate::psa::tickets::service::{self as desk, Author, AuthorKind as DeskAuthor, DeskEnv, NewTicket};
use crate::web::forms::{self, FieldErrors};
use crate::web::routes::{Access, RouteDef};
use crate::web::{redirect, render_status};

/// Longest message left for the team, in characters.
const MAX_LEFT_MESSAGE: usize = 4000;

pub fn routes() -> Vec<RouteDef> {
    [
        get("/chat", Access::Portal(UsePortal), page),
        post("/chat", Access::Portal(UsePortal), start),
        get("/chat/ws", Access::Portal(UsePortal), chat_socket),
        post("/chat/message", Access::Portal(UsePortal), leave_message)
            .example(&[("message", "My printer is out of toner.")]),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The client's row, or 404 when its portal has chat turned off.
fn client_with_chat(conn: &mut DbConnection, portal: &PortalScope) -> AppResult<Organization> {
    if !portal.client.brand.sections.chat {
        return Err(AppError::NotFound);
    }
    find_org(conn, portal.org_id())?.ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "portal/chat/page.html")]
struct ChatPage {
    chrome: Chrome,
    /// The end user's chat in progress, if any.
    chat: Option<ChatSession>,
    messages: Vec<ChatMessage>,
    /// Why nobody can chat now (then the page offers to leave a message).
    unavailable: Option<Unavailable>,
    form: LeaveForm,
    errors: FieldErrors,
    /// The ticket a message just left opened.
    left: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    left: Option<i64>,
}

/// `GET /portal/{client_slug}/chat`: the chat in progress, or a button to start one, or the form to leave a
/// message when nobody can chat.
pub async fn page(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let chrome = Chrome::signed_in(&portal, &session, "chat");
    show(&state, portal, chrome, LeaveForm::default(), FieldErrors::default(), query.left).await
}

async fn show(
    state: &AppState,
    portal: PortalScope,
    chrome: Chrome,
    form: LeaveForm,
    errors: FieldErrors,
    left: Option<i64>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let (chat, messages, unavailable) = state
        .db
        .run(move |conn| {
            let client = client_with_chat(conn, &portal)?;
            let chat = models::open_of(conn, &client.id, &portal.user.id)?;
            let messages = match &chat {
                Some(chat) => models::messages_after(conn, &client.id, &chat.id, 0)?,
                None => Vec::new(),
            };
            let unavailable = presence::availability(conn, &client, now)?.err();
            Ok((chat, messages, unavailable))
        })
        .await?;
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(status, ChatPage { chrome, chat, messages, unavailable, form, errors, left })
}

/// `POST /portal/{client_slug}/chat`: starts a chat (or returns to the one in progress) when someone can
/// answer; otherwise back to the page, which offers to leave a message.
pub async fn start(state: web::Data<AppState>, portal: PortalScope) -> AppResult<HttpResponse> {
    let (now, hub) = (state.clock.now(), state.clone());
    let back = format!("{}/chat", portal.client.base);
    let events = state
        .db
        .write(move |conn| {
            let client = client_with_chat(conn, &portal)?;
            let Ok(msp) = presence::availability(conn, &client, now)? else { return Ok(Vec::new()) };
            let contact = portal.account.contact_id.as_ref();
            let (_, events) = service::start(conn, &hub.chat, &client.id, &msp, &portal.user.id, contact, now)?;
            Ok(events)
        })
        .await?;
    state.chat.committed(events);
    Ok(redirect(&back))
}

/// `GET /portal/{client_slug}/chat/ws`: the end user's socket on their chat in progress.
pub async fn chat_socket(
    state: web::Data<AppState>,
    portal: PortalScope,
    actor: Actor,
    req: HttpRequest,
    body: web::Payload,
) -> AppResult<HttpResponse> {
    let lookup = portal.clone();
    let chat = state
        .db
        .run(move |conn| {
            let client = client_with_chat(conn, &lookup)?;
            models::open_of(conn, &client.id, &lookup.user.id)?.ok_or(AppError::NotFound)
        })
        .await?;
    let (response, ws, stream) = socket::upgrade(&req, body)?;
    let writer =
        Writer { kind: AuthorKind::EndUser, user: Some(portal.user.id.clone()), name: portal.user.name.clone() };
    let actor = actor.with_user(&portal.user.id, &portal.user.label());
    let party = Party { writer, contact: portal.account.contact_id.clone(), actor, client_name: portal.client.name };
    actix_web::rt::spawn(socket::converse(state, chat, party, ws, stream));
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct LeaveForm {
    #[serde(default)]
    pub message: String,
}

/// `POST /portal/{client_slug}/chat/message`: leaves a message for the team, which opens a ticket requested by
/// the end user's contact.
pub async fn leave_message(
    state: web::Data<AppState>,
    portal: PortalScope,
    actor: Actor,
    session: Session,
    form: web::Form<LeaveForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let message = forms::required(&mut errors, "message", &form.message, "Your message", MAX_LEFT_MESSAGE);
    let chrome = Chrome::signed_in(&portal, &session, "chat");
    if !errors.is_empty() {
        return show(&state, portal, chrome, form, errors, None).await;
    }
    let (env, base, scope) = (DeskEnv::of(&state), portal.client.base.clone(), portal.clone());
    let actor = actor.with_user(&portal.user.id, &portal.user.label());
    let opened = desk::write(&state.db, move |conn| {
        let client = client_with_chat(conn, &scope)?;
        let contact = match &scope.account.contact_id {
            Some(id) => contacts::find(conn, &client.id, id)?,
            None => None,
        };
        let author = match &contact {
            Some(contact) => Author::contact(contact, actor.at),
            None => Author { actor: actor.clone(), kind: DeskAuthor::System },
        };
        let mut new = NewTicket::new(&subject_of(&message), &message);
        new.requester = contact.map(|c| c.id);
        new.source = TicketSource::Portal;
        desk::open_ticket(conn, &env, &client.id, &author, new)
    })
    .await?;
    match opened {
        Ok(ticket) => Ok(redirect(&format!("{base}/chat?left={}", ticket.number))),
        Err(why) => {
            errors.add("message", why);
            show(&state, portal, chrome, form, errors, None).await
        }
    }
}

/// A ticket subject from a message: its first line, shortened.
fn subject_of(message: &str) -> String {
    let first = message.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("Message from the portal");
    let mut subject: String = first.chars().take(80).collect();
    if first.chars().count() > 80 {
        subject.push('…');
    }
    format!("Chat message: {subject}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_left_message_is_titled_by_its_first_line() {
        assert_eq!(super::subject_of("\n  Printer jams\nsince Monday"), "Chat message: Printer jams");
        assert!(super::subject_of(&"x".repeat(200)).ends_with('…'));
    }
}
