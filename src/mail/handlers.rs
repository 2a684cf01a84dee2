//! Administration -> Email (super admins): the outbox by status, failures with their last error, and "Retry"
//! for a failed email.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::outbox::{self, MailStatus, OutboxRow};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::session;
use crate::error::{AppError, AppResult};
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, redirect, render};

#[derive(Deserialize)]
pub struct OutboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: Option<String>,
}

/// One status with its count, a filter link above the list.
pub struct StatusTab {
    pub status: MailStatus,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "mail/outbox.html")]
struct OutboxPage {
    page: PageContext,
    tabs: Vec<StatusTab>,
    status: MailStatus,
    rows: Vec<OutboxRow>,
    pager: Pager,
    max_attempts: i32,
}

impl OutboxPage {
    fn time(&self, at: &chrono::NaiveDateTime) -> String {
        at.format("%Y-%m-%d %H:%M").to_string()
    }
}

pub async fn list(
    state: web::Data<AppState>,
    input: PageInput,
    query: web::Query<OutboxQuery>,
) -> AppResult<HttpResponse> {
    let status = MailStatus::parse(&query.status).unwrap_or(MailStatus::Failed);
    let page_number = ListQuery { page: query.page.clone(), q: None }.page();
    let (page, tabs, rows, pager) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let counts = outbox::count_by_status(conn)?;
            let count = |s: MailStatus| counts.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n);
            let tabs: Vec<StatusTab> = MailStatus::ALL
                .into_iter()
                .map(|s| StatusTab { status: s, label: s.label(), count: count(s), current: s == status })
                .collect();
            let pager = Pager::new(page_number, count(status), query_string(&[("status", status.id())]));
            let rows = outbox::page(conn, status, pager.offset(), pager.per_page)?;
            Ok((page, tabs, rows, pager))
        })
        .await?;
    render(OutboxPage { page, tabs, status, rows, pager, max_attempts: outbox::MAX_ATTEMPTS })
}

pub async fn retry(
    state: web::Data<AppState>,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let row = state
        .db
        .write(move |conn| {
            let row = outbox::requeue_failed(conn, &id, actor.at)?.ok_or(AppError::NotFound)?;
            let target = Target::new("email", &row.id, &row.to_address).details(row.subject.clone());
            audit::record(conn, &actor, row.org_id.as_ref(), Action::EmailRetried, target)?;
            Ok(row)
        })
        .await?;
    session::flash_ok(&session, format!("The email to {} is queued again and will be sent shortly.", row.to_address));
    Ok(redirect("/admin/mail?status=failed"))
}
