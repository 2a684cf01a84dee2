//! The portal's own sign-in: end users' password sign-in, emailed one-time links and password resets, sign-out,
//! their account page, and the portal session (`sessions`) the guard resolves for portal routes, apart from
//! staff sessions.

pub mod accounts;
pub mod handlers;
pub mod joining;
pub mod links;
pub mod mail;
pub mod recovery;
pub mod requests;
pub mod sessions;
pub mod staff;

use crate::auth::Permission;
use crate::portal::routes::{get, post};
use crate::web::routes::{Access, RouteDef};

pub fn routes() -> Vec<RouteDef> {
    let portal = Access::Portal(Permission::UsePortal);
    [
        get("/sign-in", Access::Public, handlers::sign_in_page),
        post("/sign-in", Access::Public, handlers::sign_in)
            .example(&[("email", "nobody@example.com"), ("password", "wrong password")]),
        post("/sign-in/link", Access::Public, recovery::send_sign_in_link).example(&[("email", "nobody@example.com")]),
        get("/link/{token}", Access::Public, recovery::link_page),
        post("/link/{token}", Access::Public, recovery::sign_in_by_link),
        get("/forgot", Access::Public, recovery::forgot_page),
        post("/forgot", Access::Public, recovery::forgot).example(&[("email", "nobody@example.com")]),
        get("/reset/{token}", Access::Public, recovery::reset_page),
        post("/reset/{token}", Access::Public, recovery::reset)
            .example(&[("password", "a long example password"), ("confirm", "a long example password")]),
        get("/welcome/{token}", Access::Public, joining::welcome_page),
        post("/welcome/{token}", Access::Public, joining::welcome)
            .example(&[("password", "a long example password"), ("confirm", "a long example password")]),
        get("/request-access", Access::Public, joining::request_page),
        post("/request-access", Access::Public, joining::request_access)
            .example(&[("name", "Ann Example"), ("email", "ann@unknown-domain.example")]),
        post("/sign-out", portal, handlers::sign_out),
        get("/account", portal, handlers::account_page),
        post("/account", portal, handlers::update_name).example(&[("name", "A New Name")]),
        post("/account/password", portal, handlers::change_password).example(&[
            ("current_password", "not the password"),
            ("new_password", "a long example password"),
            ("confirm_password", "a long example password"),
        ]),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Staff routes: a client's Portal users page and what it changes, and inviting a contact from their page.
pub fn staff_routes() -> Vec<RouteDef> {
    use crate::web::routes::{get, post};
    let manage = Access::Org(Permission::ManagePortalUsers);
    vec![
        get(staff::USERS_PATH, manage, staff::page),
        post(staff::USERS_PATH, manage, staff::invite)
            .example(&[("name", "Ann Example"), ("email", "ann@client.example")]),
        post("/settings/portal/users/{account_id}/resend", manage, staff::resend),
        post("/settings/portal/users/{account_id}/tickets", manage, staff::set_tickets).example(&[("company", "1")]),
        post("/settings/portal/users/{account_id}/remove", manage, staff::remove),
        post("/settings/portal/requests/{request_id}/approve", manage, staff::approve),
        post("/settings/portal/requests/{request_id}/refuse", manage, staff::refuse),
        post("/contacts/{contact_id}/portal-invite", manage, staff::invite_contact),
    ]
}
