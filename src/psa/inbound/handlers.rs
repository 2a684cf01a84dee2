//! MSP -> Inbound email: the recent messages of the MSP's mailbox with their outcome, one message (parsed
//! result, full text, the raw original), processing one again, and the triage queue with "move to client".
//! Staff who reach only some clients see the messages that landed in those clients, the MSP or nowhere.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use bytes::Bytes;
use serde::Deserialize;

use super::ingest::{self, Received};
use super::models::{self, InboundMessage, ListedMessage, Outcome, Source, Waiting};
use super::route::Mailbox;
use super::triage;
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{MspScope, Permission, session};
use crate::db::ids::OrgId;
use crate::error::{AppError, AppResult};
use crate::orgs::clients::MspView;
use crate::orgs::find_org;
use crate::storage::StoredFile;
use crate::web::pagination::{ListQuery, Pager};
use crate::web::{PageContext, PageInput, redirect, render};

/// Triage tickets listed at once (the oldest first).
const TRIAGE_SHOWN: i64 = 50;
/// Clients offered in the "move to client" list.
const CLIENTS_OFFERED: i64 = 500;

#[derive(Template)]
#[template(path = "psa/inbound_list.html")]
struct ListPage {
    page: PageContext,
    messages: Vec<ListedMessage>,
    pager: Pager,
    waiting: Vec<Waiting>,
    clients: Vec<(OrgId, String)>,
    can_work: bool,
    receiving: bool,
    tz: chrono_tz::Tz,
}

/// Which stored messages this person may see: the reach of their role.
pub(crate) fn reach(scope: &MspScope) -> models::Reach {
    let view = MspView::of(scope);
    models::Reach { msp: view.msp_org_id.clone(), limited_to: (!view.all_clients).then(|| view.user_id.clone()) }
}

pub async fn list(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let (reach, view, page_number) = (reach(&scope), MspView::of(&scope), query.page());
    let can_work = scope.can(Permission::WorkTickets);
    let (page, messages, pager, waiting, clients, tz) = state
        .db
        .run(move |conn| {
            let tz = find_org(conn, &reach.msp)?.map_or(chrono_tz::UTC, |o| o.tz());
            let pager = Pager::new(page_number, models::count(conn, &reach)?, String::new());
            let messages = models::page(conn, &reach, pager.per_page, pager.offset())?;
            let waiting = models::waiting(conn, &reach.msp, TRIAGE_SHOWN)?;
            let clients = if can_work && !waiting.is_empty() {
                triage::reachable_clients(conn, &view, CLIENTS_OFFERED)?
            } else {
                Vec::new()
            };
            Ok((input.load(conn)?, messages, pager, waiting, clients, tz))
        })
        .await?;
    let inbound = &state.config.inbound;
    let receiving = inbound.smtp_bind.is_some() || inbound.imap.is_some();
    render(ListPage { page, messages, pager, waiting, clients, can_work, receiving, tz })
}

#[derive(Template)]
#[template(path = "psa/inbound_message.html")]
struct MessagePage {
    page: PageContext,
    message: InboundMessage,
    routed_org: String,
    ticket_number: Option<i64>,
    summary: Summary,
    can_reprocess: bool,
    tz: chrono_tz::Tz,
}

/// The parsed summary stored with a message, for the page.
#[derive(Deserialize, Default)]
struct Summary {
    #[serde(default)]
    thread_ids: Vec<String>,
    #[serde(default)]
    attachments: Vec<AttachmentSummary>,
}

#[derive(Deserialize, Default)]
struct AttachmentSummary {
    filename: String,
    size: u64,
}

async fn message_in_reach(state: &AppState, scope: &MspScope, id: String) -> Result<ListedMessage, AppError> {
    let reach = reach(scope);
    state.db.run(move |conn| models::find(conn, &reach, &id)?.ok_or(AppError::NotFound)).await
}

pub async fn show(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let listed = message_in_reach(&state, &scope, path.into_inner()).await?;
    let msp = scope.msp_id().clone();
    let (page, tz) = state
        .db
        .run(move |conn| Ok((input.load(conn)?, find_org(conn, &msp)?.map_or(chrono_tz::UTC, |o| o.tz()))))
        .await?;
    let summary = serde_json::from_str(&listed.message.parsed).unwrap_or_default();
    let can_reprocess = scope.can(Permission::WorkTickets)
        && listed.message.outcome.may_reprocess()
        && listed.message.raw_key.is_some();
    render(MessagePage {
        page,
        routed_org: listed.routed_org.unwrap_or_default(),
        ticket_number: listed.ticket_number,
        message: listed.message,
        summary,
        can_reprocess,
        tz,
    })
}

/// The original message as it arrived, as a download (plain text, never rendered).
pub async fn raw(state: web::Data<AppState>, scope: MspScope, path: web::Path<String>) -> AppResult<HttpResponse> {
    let listed = message_in_reach(&state, &scope, path.into_inner()).await?;
    let message = listed.message;
    let key = message.raw_key.clone().ok_or(AppError::NotFound)?;
    let file = StoredFile { key, size: message.size as u64, sha256: String::new(), content_type: "text/plain".into() };
    crate::storage::download::attachment(&state.storage, &file, &format!("message-{}.eml", message.id)).await
}

/// Runs a stored message through screening and routing again (after adding a contact, or once a sender's rate
/// limit has passed); the new attempt is a message of its own, source "Processed again".
pub async fn reprocess(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let listed = message_in_reach(&state, &scope, path.into_inner()).await?;
    let original = listed.message;
    let back = format!("/msp/inbound/{}", original.id);
    if !original.outcome.may_reprocess() {
        session::flash_error(
            &session,
            format!("A message that was “{}” is not processed again.", original.outcome.label()),
        );
        return Ok(redirect(&back));
    }
    let Some(key) = original.raw_key.clone() else {
        session::flash_error(&session, "The original of this message was not kept (it was too large).");
        return Ok(redirect(&back));
    };
    let raw: Bytes =
        state.storage.get(&key).await.map_err(|e| AppError::internal_from("reading a stored message", e))?;
    let msp = scope.msp_id().clone();
    let mailbox_org = state.db.run(move |conn| find_org(conn, &msp)?.ok_or(AppError::NotFound)).await?;
    let received = Received {
        source: Source::Reprocess,
        source_ref: None,
        envelope_from: Some(original.envelope_from.clone()).filter(|_| original.source == Source::Smtp),
        recipients: original.recipients.split(", ").filter(|r| !r.is_empty()).map(String::from).collect(),
        raw: raw.to_vec(),
    };
    let processed = ingest::ingest(&state, Mailbox::of(mailbox_org), received).await?;
    let (msp, label, details) = (scope.msp_id().clone(), original.subject.clone(), processed.outcome.label());
    let id = processed.id.clone();
    state
        .db
        .write(move |conn| {
            let target = Target::new("inbound_message", &id, &label).details(details);
            Ok(audit::record(conn, &actor, Some(&msp), Action::InboundReprocessed, target)?)
        })
        .await?;
    session::flash_ok(&session, format!("Processed again: {}. {}", processed.outcome.label(), processed.detail));
    Ok(redirect(&format!("/msp/inbound/{}", processed.id)))
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    client: String,
}

/// Moves a triage ticket to a client the person reaches: a ticket of the client for the sender (a contact made
/// if needed) with the message and its attachments, the triage ticket closed with a note saying where it went.
pub async fn move_to_client(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<MoveForm>,
) -> AppResult<HttpResponse> {
    let view = MspView::of(&scope);
    let (msp, ticket_id, client_id) = (scope.msp_id().clone(), path.into_inner(), form.client.trim().to_string());
    if client_id.is_empty() {
        session::flash_error(&session, "Choose the client this request belongs to.");
        return Ok(redirect("/msp/inbound"));
    }
    let env = crate::psa::tickets::service::DeskEnv::of(&state);
    let outcome = crate::psa::tickets::service::write(&state.db, move |conn| {
        let client = view.client(conn, &client_id).map_err(|e| match e {
            AppError::NotFound => crate::psa::tickets::service::DeskError::Db(diesel::result::Error::NotFound),
            other => other.into(),
        })?;
        triage::move_ticket(conn, &env, &msp, &ticket_id, &client.id, &client.name, &actor)
    })
    .await;
    match outcome {
        Ok(Ok(moved)) => {
            session::flash_ok(&session, format!("Moved to {} as ticket #{}.", moved.client_name, moved.number));
            Ok(redirect("/msp/inbound"))
        }
        Ok(Err(why)) => {
            session::flash_error(&session, why);
            Ok(redirect("/msp/inbound"))
        }
        Err(e) => Err(e),
    }
}

impl ListPage {
    fn outcome_class(&self, outcome: &Outcome) -> &'static str {
        outcome_class(*outcome)
    }
    fn when(&self, at: &chrono::NaiveDateTime) -> String {
        crate::web::time::local(*at, self.tz)
    }
}

impl MessagePage {
    fn outcome_class(&self) -> &'static str {
        outcome_class(self.message.outcome)
    }
    fn when(&self, at: &chrono::NaiveDateTime) -> String {
        crate::web::time::local(*at, self.tz)
    }
}

fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        o if o.landed() => "badge-ok",
        Outcome::Rejected | Outcome::RateLimited | Outcome::Loop => "badge-warn",
        _ => "badge-muted",
    }
}
