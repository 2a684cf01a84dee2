//! Time tracking: timers and manual entries on tickets, entries for a client without a ticket, weekly
//! timesheets and the manager's view. Entries are the MSP's (it bills them; `billing` reads them), each for one
//! client; their author may change them until an invoice bills them.

pub mod forms;
pub mod handlers;
pub mod models;
pub mod ticket;
pub mod timer;
pub mod timesheet;

use crate::auth::Permission::*;
use crate::web::routes::{Access, RouteDef, get, post};

const ENTRY: &[(&str, &str)] = &[
    ("work_date", "2026-11-30"),
    ("start", "09:00"),
    ("end", "10:30"),
    ("notes", "Replaced the toner."),
    ("billable", "1"),
];

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    vec![
        post("/tickets/{number}/timer", Org(LogTime), timer::start),
        post("/tickets/{number}/time", Org(LogTime), handlers::log_on_ticket).example(ENTRY),
        post("/time/timer/stop", Msp(LogTime), timer::stop_timer),
        get("/time", Msp(LogTime), handlers::my_week),
        post("/time/entries", Msp(LogTime), handlers::create).example(&[
            ("client", "{client_id}"),
            ("work_date", "2026-11-30"),
            ("duration", "1:15"),
            ("notes", "Quarterly review meeting."),
        ]),
        get("/time/entries/{entry_id}", Msp(LogTime), handlers::edit),
        post("/time/entries/{entry_id}", Msp(LogTime), handlers::update).example(&[
            ("work_date", "2026-11-30"),
            ("duration", "0:45"),
            ("notes", "Changed."),
        ]),
        post("/time/entries/{entry_id}/delete", Msp(LogTime), handlers::delete),
        get("/time/team", Msp(ManageTime), handlers::team_week),
        get("/time/team/{staff_id}", Msp(ManageTime), handlers::person_week),
    ]
}
