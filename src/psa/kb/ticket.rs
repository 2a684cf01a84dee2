//! The knowledge base from a ticket: search it on a small results page next to the ticket, put an article's
//! link into the reply box, and turn a resolved ticket's conversation into a draft article.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::handlers::log;
use super::models::{self, ArticleInput, Audience, Reader};
use super::search::{self, Hit};
use crate::AppState;
use crate::audit::Action;
use crate::auth::{Permission, Scope, session};
use crate::error::{AppError, AppResult};
use crate::psa::tickets::conversation;
use crate::psa::tickets::models::Ticket;
use crate::psa::tickets::page::ticket_in_scope;
use crate::web::change::Change;
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, redirect, render};

#[derive(Template)]
#[template(path = "psa/kb/ticket_search.html")]
struct TicketSearchPage {
    page: PageContext,
    ticket: Ticket,
    search: String,
    hits: Vec<Hit>,
    pager: Pager,
    can_work: bool,
}

/// Knowledge-base results for a ticket, each with "insert link" into the ticket's reply.
pub async fn search(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let (org, number) = (scope.org_id().clone(), path.into_inner());
    let (text, page_number) = (query.search(), query.page());
    let reader = Reader::staff(&scope);
    let lookup = text.clone();
    let (page, ticket, hits, pager) = state
        .db
        .run(move |conn| {
            let ticket = ticket_in_scope(conn, &org, &number)?;
            let base = query_string(&[("q", &lookup)]);
            let (hits, pager) = search::search(conn, &reader, &lookup, page_number, base)?;
            Ok((input.load(conn)?, ticket, hits, pager))
        })
        .await?;
    let can_work = scope.can(Permission::WorkTickets);
    render(TicketSearchPage { page, ticket, search: text, hits, pager, can_work })
}

/// The reply text that links an article: `[Title](address)`, for the ticket page's `?article=` (None when the
/// article is not one the person may read).
pub async fn link_text(state: &AppState, scope: &Scope, article_id: String) -> AppResult<Option<String>> {
    let reader = Reader::staff(scope);
    let article = state.db.run(move |conn| Ok(models::find_visible(conn, &reader, &article_id)?)).await?;
    let base = state.config.base_url.trim_end_matches('/').to_string();
    Ok(article.map(|a| format!("[{}]({base}/kb/{})", a.title.replace(['[', ']'], ""), a.id)))
}

#[derive(Deserialize)]
pub struct DraftForm {
    /// "1" to take the internal notes too.
    #[serde(default)]
    notes: Option<String>,
}

/// A draft article from a resolved (or closed) ticket: its subject as the title, the public conversation (and
/// the internal notes when asked) as the body, to be edited before publishing.
pub async fn draft_from_ticket(
    c: Change,
    path: web::Path<String>,
    form: web::Form<DraftForm>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let (org, number) = (scope.org_id().clone(), path.into_inner());
    let with_notes = form.notes.is_some();
    let reader = Reader::staff(&scope);
    let outcome = state
        .db
        .write(move |conn| {
            let ticket = ticket_in_scope(conn, &org, &number)?;
            if ticket.status.is_unresolved() {
                return Ok(Err(ticket.number));
            }
            let events = conversation::of_ticket(conn, &org, &ticket.id)?;
            let input = ArticleInput {
                title: ticket.subject.chars().take(200).collect(),
                body: draft_body(&ticket, &events, with_notes),
                audience: Some(Audience::Internal),
                ..Default::default()
            };
            let id = models::insert(conn, &org, &input, Some(ticket.id.as_str()), &actor)?;
            let article = models::find_visible(conn, &reader, &id)?.ok_or(AppError::NotFound)?;
            log(conn, &actor, &article, Action::ArticleCreated, &format!("from ticket #{}", ticket.number))?;
            Ok(Ok(id))
        })
        .await?;
    match outcome {
        Ok(id) => {
            session::flash_ok(&session, "A draft article is made from the ticket: edit it, then publish it.");
            Ok(redirect(&format!("/kb/{id}/edit")))
        }
        Err(number) => {
            session::flash_error(&session, "Resolve the ticket first: a draft article is made from a solved problem.");
            Ok(redirect(&format!("/tickets/{number}")))
        }
    }
}

/// The draft's markdown: the problem, the resolution, then the conversation's messages in order.
fn draft_body(ticket: &Ticket, events: &[conversation::Event], with_notes: bool) -> String {
    let messages: Vec<&conversation::Event> = events
        .iter()
        .filter(|e| e.kind.is_message() && !e.body.trim().is_empty() && (with_notes || !e.internal))
        .collect();
    let mut body = String::from("## Problem\n\n");
    match messages.first() {
        Some(first) => body.push_str(first.body.trim()),
        None => body.push_str(&ticket.subject),
    }
    if !ticket.resolution_note.trim().is_empty() {
        body.push_str("\n\n## Resolution\n\n");
        body.push_str(ticket.resolution_note.trim());
    }
    if messages.len() > 1 {
        body.push_str("\n\n## From the conversation\n");
        for message in &messages[1..] {
            let note = if message.internal { " (internal note)" } else { "" };
            // The author's name only: a requester's email address does not belong in an article.
            let author = message.author_label.split(" <").next().unwrap_or_default();
            body.push_str(&format!("\n**{author}**{note}:\n\n"));
            for line in message.body.trim().lines() {
                body.push_str("> ");
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    body.chars().take(super::forms::MAX_BODY).collect()
}
