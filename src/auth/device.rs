//! The device cookie: after a successful sign-in the browser gets a long-lived cookie, signed with the session
//! key, naming the account it signed in to and a random device id. A later sign-in from that browser counts its
//! failures in the device's own bucket, so wrong guesses from elsewhere cannot lock the owner out.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use sha2::{Digest, Sha256};

pub const DEVICE_COOKIE: &str = "palisade_device";

/// A short, non-reversible tag of an account's email (the cookie never shows the email itself).
fn account_tag(email: &str) -> String {
    hex::encode(&Sha256::digest(email.trim().to_lowercase().as_bytes())[..12])
}

/// The device id this browser proved for `email` (a valid signed cookie issued at a sign-in to that account).
pub fn known_device(req: &HttpRequest, key: &Key, email: &str) -> Option<String> {
    let cookie = req.cookie(DEVICE_COOKIE)?;
    let mut jar = CookieJar::new();
    jar.add_original(cookie);
    let verified = jar.signed(key).get(DEVICE_COOKIE)?;
    let (tag, device) = verified.value().split_once('.')?;
    (tag == account_tag(email) && !device.is_empty()).then(|| device.to_string())
}

/// The cookie to set after a successful sign-in to `email`.
pub fn cookie_for(key: &Key, email: &str, secure: bool) -> Cookie<'static> {
    let value = format!("{}.{}", account_tag(email), crate::auth::tokens::new_token());
    let mut jar = CookieJar::new();
    let mut cookie = Cookie::new(DEVICE_COOKIE, value);
    cookie.set_http_only(true);
    cookie.set_secure(secure);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie.set_max_age(actix_web::cookie::time::Duration::days(365));
    jar.signed_mut(key).add(cookie);
    jar.get(DEVICE_COOKIE).cloned().unwrap_or_else(|| Cookie::new(DEVICE_COOKIE, ""))
}
