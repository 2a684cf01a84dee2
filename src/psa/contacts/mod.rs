//! Contacts: the people of an organization who raise tickets (and later sign in to its portal).

pub mod forms;
pub mod handlers;
pub mod import;
pub mod models;

use crate::auth::Permission::*;
use crate::web::import_pages;
use crate::web::routes::{Access, RouteDef, get, post};
use import::ContactsImport;

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    const CONTACT: &[(&str, &str)] =
        &[("name", "Ann Example"), ("email", "ann@client.example"), ("phone", "+1 555 0100"), ("primary", "1")];
    vec![
        get("/contacts", Org(ViewTickets), handlers::list),
        get("/contacts/new", Org(WorkTickets), handlers::new_form),
        post("/contacts", Org(WorkTickets), handlers::create).example(CONTACT),
        get("/contacts/import", Org(WorkTickets), import_pages::form::<ContactsImport>),
        post("/contacts/import", Org(WorkTickets), import_pages::preview::<ContactsImport>)
            .example(&[("csv", "name,email\nBo Example,bo@client.example\n")]),
        post("/contacts/import/apply", Org(WorkTickets), import_pages::apply::<ContactsImport>)
            .example(&[("csv", "name,email\nBo Example,bo@client.example\n")]),
        get("/contacts/{contact_id}", Org(ViewTickets), handlers::detail),
        get("/contacts/{contact_id}/edit", Org(WorkTickets), handlers::edit_form),
        post("/contacts/{contact_id}", Org(WorkTickets), handlers::update).example(CONTACT),
        post("/contacts/{contact_id}/archive", Org(WorkTickets), handlers::set_archived::<true>),
        post("/contacts/{contact_id}/restore", Org(WorkTickets), handlers::set_archived::<false>),
    ]
}
