//! The portal's own sign-in: end users' password sign-in, emailed one-time links and password resets, sign-out,
//! their account page, and the portal session (`sessions`) the guard resolves for portal routes, apart from
//! staff sessions.

pub mod handlers;
pub mod links;
pub mod mail;
pub mod recovery;
pub mod sessions;

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
