//! Live chat between a client's portal end users and the MSP's staff: chats and their messages (`models`),
//! the changes to them (`service`), the fan-out of events to sockets on every instance (`fanout`), who is
//! available (`presence`), the socket protocol (`protocol`, `socket`) and the staff console (`console`). The end
//! user's side is `portal::chat`.

pub mod console;
pub mod fanout;
pub mod models;
pub mod presence;
pub mod protocol;
pub mod service;
pub mod socket;

pub use fanout::ChatHub;

use crate::audit::log::ActivityEntry;
use crate::auth::Permission::*;
use crate::web::routes::{Access, RouteDef, get, post};

/// The staff console's routes: staff of an MSP who work tickets, for the clients they reach.
pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    vec![
        get("/chat", Msp(WorkTickets), console::console),
        get("/chat/ws", Msp(WorkTickets), console::console_socket),
        get("/chat/{chat_id}", Msp(WorkTickets), console::conversation),
        get("/chat/{chat_id}/ws", Msp(WorkTickets), console::conversation_socket),
        post("/chat/{chat_id}/accept", Msp(WorkTickets), console::accept),
        post("/chat/{chat_id}/end", Msp(WorkTickets), console::end).example(&[("save_to", "new")]),
    ]
}

/// The activity log's sentence for chat entries.
pub fn activity_sentence(who: &str, entry: &ActivityEntry) -> String {
    use crate::audit::Action::*;
    let what = entry.target_label.as_str();
    match entry.action {
        ChatAccepted => format!("{who} accepted the chat {what}"),
        ChatEnded => format!("{who} ended the chat {what}, transcript on {}", entry.details),
        other => format!("{who}: {} {what}", other.label()),
    }
}
