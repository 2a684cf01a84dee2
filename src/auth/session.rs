//! What the session cookie holds: the signed-in user and their session stamp, the selected organization, the
//! csrf token and a one-shot flash message. The cookie is encrypted and signed; its contents are never trusted
//! on their own (the route guard re-checks the user and the organization on every request).

use actix_session::Session;

const USER_ID: &str = "uid";
const STAMP: &str = "stamp";
const ORG_ID: &str = "org";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";

pub fn user(session: &Session) -> Option<(String, String)> {
    let user_id = session.get::<String>(USER_ID).ok().flatten()?;
    let stamp = session.get::<String>(STAMP).ok().flatten()?;
    Some((user_id, stamp))
}

/// Signs a user in: a fresh session (new cookie, new csrf token) so nothing from before sign-in carries over.
pub fn sign_in(session: &Session, user_id: &str, stamp: &str) {
    session.clear();
    session.renew();
    let _ = session.insert(USER_ID, user_id);
    let _ = session.insert(STAMP, stamp);
    let _ = session.insert(CSRF, crate::auth::tokens::new_token());
}

/// Ends the signed-in session; the cookie stays only to carry a flash message and a fresh csrf token.
pub fn sign_out(session: &Session) {
    session.clear();
    session.renew();
}

pub fn org(session: &Session) -> Option<String> {
    session.get::<String>(ORG_ID).ok().flatten()
}

pub fn set_org(session: &Session, org_id: &str) {
    let _ = session.insert(ORG_ID, org_id);
}

/// Updates the stamp after the user changed their own password (other sessions end, this one continues).
pub fn set_stamp(session: &Session, stamp: &str) {
    let _ = session.insert(STAMP, stamp);
}

/// The session's csrf token, made on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Some(token) = session.get::<String>(CSRF).ok().flatten() {
        return token;
    }
    let token = crate::auth::tokens::new_token();
    let _ = session.insert(CSRF, &token);
    token
}

pub fn existing_csrf_token(session: &Session) -> Option<String> {
    session.get::<String>(CSRF).ok().flatten()
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct Flash {
    pub kind: String,
    pub message: String,
}

pub fn flash(session: &Session, kind: &str, message: impl Into<String>) {
    let _ = session.insert(FLASH, Flash { kind: kind.into(), message: message.into() });
}

pub fn flash_ok(session: &Session, message: impl Into<String>) {
    flash(session, "success", message);
}

pub fn flash_error(session: &Session, message: impl Into<String>) {
    flash(session, "error", message);
}

/// Flashes what an action did, or why it was refused.
pub fn flash_outcome(session: &Session, outcome: Result<String, String>) {
    match outcome {
        Ok(message) => flash_ok(session, message),
        Err(refusal) => flash_error(session, refusal),
    }
}

/// The flash message, removed from the session. (Only touches the session when there is one, so pages
/// without a message do not re-issue the cookie.)
pub fn take_flash(session: &Session) -> Option<Flash> {
    if !session.contains_key(FLASH) {
        return None;
    }
    session.remove_as::<Flash>(FLASH).and_then(Result::ok)
}
