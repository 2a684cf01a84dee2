//! Tickets: the model and numbers, the service every area changes tickets through, the queues, the ticket page
//! with its conversation, merging, watchers, related tickets and the emails tickets send.

pub mod actions;
pub mod conversation;
pub mod forms;
pub mod mail;
pub mod merge;
pub mod models;
pub mod new;
pub mod numbers;
pub mod page;
pub mod queue;
pub mod queue_pages;
pub mod recurring;
pub mod service;
pub mod settings;
pub mod staff;
pub mod templates;
pub mod watchers;

use crate::auth::Permission::*;
use crate::web::routes::{Access, RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    vec![
        get("/tickets", Org(ViewTickets), queue_pages::org_queue),
        post("/tickets/bulk", Org(WorkTickets), queue_pages::org_bulk)
            .example(&[("ticket", "{ticket_id}"), ("bulk_priority", "high")]),
        get("/tickets/new", Org(WorkTickets), new::new_form),
        post("/tickets", Org(WorkTickets), new::create).example(&[
            ("subject", "Printer jams on tray 2"),
            ("description", "Since this morning."),
            ("priority", "high"),
            ("ticket_type", "incident"),
            ("status", "new"),
        ]),
        get("/tickets/by-id/{ticket_id}", SignedIn, actions::by_id),
        get("/tickets/{number}", Org(ViewTickets), page::show),
        post("/tickets/{number}/reply", Org(WorkTickets), actions::reply)
            .example(&[("body", "We are on it."), ("visibility", "public")]),
        post("/tickets/{number}/properties", Org(WorkTickets), actions::properties).example(&[
            ("status", "open"),
            ("priority", "high"),
            ("assignee", ""),
        ]),
        post("/tickets/{number}/details", Org(WorkTickets), actions::details).example(&[
            ("subject", "Printer jams on every tray"),
            ("ticket_type", "problem"),
            ("category", "Printers"),
        ]),
        post("/tickets/{number}/watchers", Org(WorkTickets), actions::add_watcher)
            .example(&[("watcher", "{staff_id}")]),
        post("/tickets/{number}/watchers/{watcher_id}/remove", Org(WorkTickets), actions::remove_watcher),
        post("/tickets/{number}/related", Org(WorkTickets), actions::add_related)
            .example(&[("number", "{other_number}")]),
        post("/tickets/{number}/related/{related}/remove", Org(WorkTickets), actions::remove_related),
        post("/tickets/{number}/merge", Org(WorkTickets), actions::merge)
            .example(&[("number", "{other_number}"), ("confirm", "1")]),
        get("/tickets/{number}/attachments/{attachment_id}", Org(ViewTickets), actions::attachment),
        get("/tickets/recurring", Org(ViewTickets), recurring::list),
        post("/tickets/recurring", Org(WorkTickets), recurring::create).example(&[
            ("template", "{template_id}"),
            ("frequency", "monthly"),
            ("first_date", "2026-04-01"),
            ("first_time", "09:00"),
        ]),
        post("/tickets/recurring/{recurring_id}/delete", Org(WorkTickets), recurring::delete),
        get("/settings/service-desk/templates", Org(ManageServiceDesk), templates::list),
        post("/settings/service-desk/templates", Org(ManageServiceDesk), templates::create_template).example(&[
            ("name", "Monthly patching"),
            ("subject", "Apply this month's patches"),
            ("priority", "medium"),
            ("ticket_type", "change"),
        ]),
        post(
            "/settings/service-desk/templates/{template_id}/delete",
            Org(ManageServiceDesk),
            templates::delete_template,
        ),
        post("/settings/service-desk/canned", Org(ManageServiceDesk), templates::create_canned)
            .example(&[("title", "Restart first"), ("body", "Please restart the computer and tell us if it helps.")]),
        post("/settings/service-desk/canned/{canned_id}/delete", Org(ManageServiceDesk), templates::delete_canned),
        get("/msp/tickets", Msp(ViewTickets), queue_pages::msp_queue),
        post("/msp/tickets/bulk", Msp(WorkTickets), queue_pages::msp_bulk)
            .example(&[("ticket", "{ticket_id}"), ("bulk_priority", "high")]),
    ]
}

/// The scheduled jobs of tickets: closing resolved tickets when their organization's closing rule says so, and
/// opening recurring tickets.
pub fn jobs() -> Vec<crate::jobs::Job> {
    vec![
        crate::jobs::Job::new(
            "tickets.autoclose",
            "Close resolved tickets",
            chrono::Duration::minutes(5),
            autoclose::run,
        ),
        crate::jobs::Job::new(
            "tickets.recurring",
            "Open recurring tickets",
            chrono::Duration::minutes(1),
            recurring::run,
        ),
    ]
}

pub mod autoclose {
    //! Resolved tickets close by themselves when their `close_due_at` passes (the organization's closing rule,
    //! 72 hours by default), each with its status event and activity entry.

    use actix_web::web;
    use diesel::prelude::*;

    use super::models::TicketStatus;
    use super::service::{self, Author, DeskEnv};
    use crate::AppState;
    use crate::db::ids::{OrgId, TicketId};
    use crate::db::write_transaction;
    use crate::jobs::JobResult;
    use crate::jobs::claim::lock_skip_locked;
    use crate::schema::tickets;

    pub async fn run(state: web::Data<AppState>) -> JobResult {
        let (now, env) = (state.clock.now(), DeskEnv::of(&state));
        let closed = state
            .db
            .run(move |conn| {
                Ok(write_transaction(conn, |conn| -> Result<usize, service::DeskError> {
                    let due: Vec<(OrgId, TicketId)> = lock_skip_locked!(
                        conn,
                        tickets::table
                            .filter(tickets::close_due_at.le(now))
                            .filter(tickets::status.eq(TicketStatus::Resolved))
                            .order(tickets::close_due_at.asc())
                            .limit(500)
                            .select((tickets::org_id, tickets::id))
                    )?;
                    let author = Author::system("Closing rule", now);
                    for (org, ticket) in &due {
                        service::change_status(conn, &env, org, ticket, &author, TicketStatus::Closed, "")?;
                    }
                    Ok(due.len())
                })?)
            })
            .await?;
        Ok(format!("{closed} resolved tickets closed"))
    }
}
