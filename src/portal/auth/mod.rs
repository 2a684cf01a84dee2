//! The portal's own sign-in: end users' password sign-in and sign-out, their account page, and the portal
//! session (`sessions`) the guard resolves for portal routes, apart from staff sessions.

pub mod handlers;
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
