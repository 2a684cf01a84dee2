//! What a handler that changes the program works with, as one extractor: the application state, the scope, the
//! page input (to show a refused form again), who acts (for the activity log) and the session (for the flash).

use std::future::{Ready, ready};

use actix_session::Session;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use crate::AppState;
use crate::audit::Actor;
use crate::auth::Scope;
use crate::web::PageInput;

pub struct Change {
    pub state: web::Data<AppState>,
    pub scope: Scope,
    pub input: PageInput,
    pub actor: Actor,
    pub session: Session,
}

impl FromRequest for Change {
    type Error = actix_web::Error;
    type Future = Ready<Result<Change, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let mut part = || -> Result<Change, actix_web::Error> {
            Ok(Change {
                state: web::Data::<AppState>::from_request(req, payload).into_inner()?,
                scope: Scope::from_request(req, payload).into_inner()?,
                input: PageInput::from_request(req, payload).into_inner()?,
                actor: Actor::from_request(req, payload).into_inner()?,
                session: Session::from_request(req, payload).into_inner()?,
            })
        };
        ready(part())
    }
}
