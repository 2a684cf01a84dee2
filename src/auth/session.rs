//! What the session cookie holds: the server-side session record it names (with the user's stamp), the selected
//! organization, an auditor grant, the csrf token and a one-shot flash message. The cookie is encrypted and
//! signed; its contents are never trusted on their own: the route guard resolves them against the database on
//! every request, and only the guard reads who is signed in (handlers take `Identity`, `Option<Identity>` or a
//! scope).

use actix_session::Session;

use crate::db::ids::SessionId;

const SESSION_ID: &str = "sid";
const STAMP: &str = "stamp";
const ORG_ID: &str = "org";
const AUDITOR_GRANT: &str = "auditor";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";
/// The portal session (`PortalCookie`): kept apart from the staff keys, and kept when a staff session starts
/// or ends in the same browser (someone can be staff and a client's end user at once).
const PORTAL: &str = "portal";

/// The session record and stamp the cookie names, for the guard to check. Not for handlers.
pub(crate) fn signed_in_record(session: &Session) -> Option<(String, String)> {
    let session_id = session.get::<String>(SESSION_ID).ok().flatten()?;
    let stamp = session.get::<String>(STAMP).ok().flatten()?;
    Some((session_id, stamp))
}

/// Signs a user in: a fresh cookie (new csrf token) naming the new session record, so nothing from before
/// sign-in carries over.
pub fn sign_in(session: &Session, record: &SessionId, stamp: &str, org: Option<&str>) {
    restart_keeping_portal(session);
    let _ = session.insert(SESSION_ID, record.as_str());
    let _ = session.insert(STAMP, stamp);
    if let Some(org) = org {
        let _ = session.insert(ORG_ID, org);
    }
    let _ = session.insert(CSRF, crate::auth::tokens::new_token());
}

/// Forgets the signed-in session in this cookie (the record is ended by the caller, or already was); the cookie
/// stays only to carry a flash message and a fresh csrf token.
pub fn sign_out(session: &Session) {
    restart_keeping_portal(session);
}

/// A fresh cookie with nothing from before but the portal session, if any.
fn restart_keeping_portal(session: &Session) {
    let portal = portal_record(session);
    session.clear();
    session.renew();
    if let Some(portal) = portal {
        let _ = session.insert(PORTAL, portal);
    }
}

/// What the cookie holds of a portal session: its record, the user's stamp, and the client it is bound to.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct PortalCookie {
    pub record: String,
    pub stamp: String,
    pub client: String,
}

/// The portal session the cookie names, for the guard to check (and for sign-out to end). Not for pages.
pub(crate) fn portal_record(session: &Session) -> Option<PortalCookie> {
    session.get::<PortalCookie>(PORTAL).ok().flatten()
}

/// Starts a portal session in this browser (replacing one of another client's portal), with a new csrf token;
/// a staff session in the same cookie stays.
pub fn start_portal(session: &Session, cookie: PortalCookie) {
    session.renew();
    let _ = session.insert(PORTAL, cookie);
    let _ = session.insert(CSRF, crate::auth::tokens::new_token());
}

/// Forgets the portal session (sign-out, or a record that no longer stands); a staff session stays.
pub fn end_portal(session: &Session) {
    session.remove(PORTAL);
}

/// Updates the portal session's stamp after its user changed their password from the portal.
pub fn set_portal_stamp(session: &Session, stamp: &str) {
    if let Some(mut cookie) = portal_record(session) {
        cookie.stamp = stamp.to_string();
        let _ = session.insert(PORTAL, cookie);
    }
}

pub(crate) fn org(session: &Session) -> Option<String> {
    session.get::<String>(ORG_ID).ok().flatten()
}

pub fn set_org(session: &Session, org_id: &str) {
    let _ = session.insert(ORG_ID, org_id);
}

/// Updates the stamp after the user changed their own password (other sessions end, this one continues).
pub fn set_stamp(session: &Session, stamp: &str) {
    let _ = session.insert(STAMP, stamp);
}

/// The auditor grant this browser was let in with (from the emailed link), for the guard to check.
pub(crate) fn auditor_grant(session: &Session) -> Option<String> {
    session.get::<String>(AUDITOR_GRANT).ok().flatten()
}

/// Starts an auditor's session for a grant whose token was just checked: a fresh cookie, nothing else in it.
pub fn start_auditor(session: &Session, grant_id: &str) {
    session.clear();
    session.renew();
    let _ = session.insert(AUDITOR_GRANT, grant_id);
    let _ = session.insert(CSRF, crate::auth::tokens::new_token());
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
