//! What a handler that changes something works with, as one extractor: the application state, the scope, the page
//! input (to show a refused form again), who acts (for the activity log) and the session (for the flash). Nearly every
//! form-posting handler takes these five; taking them as one keeps the signatures short and the order of extraction
//! the same everywhere.

use std::future::{Ready, ready};

use actix_session::Session;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use crate::AppState;
use crate::audit::Actor;
use crate::auth::Scope;
use crate::web::PageInput;

/// The five extractors of a changing handler. `S` is the scope extractor: [`Scope`] (the default) or
/// [`crate::auth::MspScope`]; any extractor that is ready at once will do.
pub struct Change<S = Scope> {
    pub state: web::Data<AppState>,
    pub scope: S,
    pub input: PageInput,
    pub actor: Actor,
    pub session: Session,
}

impl<S> FromRequest for Change<S>
where
    S: FromRequest<Future = Ready<Result<S, <S as FromRequest>::Error>>>,
{
    type Error = actix_web::Error;
    type Future = Ready<Result<Change<S>, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let mut part = || -> Result<Change<S>, actix_web::Error> {
            Ok(Change {
                state: web::Data::<AppState>::from_request(req, payload).into_inner()?,
                scope: S::from_request(req, payload).into_inner().map_err(Into::into)?,
                input: PageInput::from_request(req, payload).into_inner()?,
                actor: Actor::from_request(req, payload).into_inner()?,
                session: Session::from_request(req, payload).into_inner()?,
            })
        };
        ready(part())
    }
}
