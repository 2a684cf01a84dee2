//! How portal routes are declared: once, relative to the portal (`"/tickets"`, or `""` for its front page), and
//! registered twice: under `/portal/{client_slug}` (on the application's host) and bare (`/tickets`) for a
//! client's own portal domain. The bare variant only matches when the request's host is not the application's
//! own host (`is_portal_host`), so the staff route of the same path (staff `/tickets`) keeps working there; the
//! guard then finds the client by that host (an unknown host is 404).
//!
//! ```text
//! routes.extend(portal::routes::get("/tickets", Access::Portal(UsePortal), tickets::list));
//! routes.extend(portal::routes::post("/tickets", Access::Portal(UsePortal), tickets::create)
//!     .example(&[("subject", "Printer jam")]));
//! ```

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use actix_web::dev::RequestHead;
use actix_web::guard::GuardContext;
use actix_web::http::{Method, header};
use actix_web::{Handler, Responder, web};

use crate::AppState;
use crate::web::routes::{Access, RouteDef};

/// Where the portal's routes live on the application's host.
pub const PREFIX: &str = "/portal/{client_slug}";

/// Every route of the portal, from each of its areas.
pub fn all() -> Vec<RouteDef> {
    let mut routes = crate::portal::sections::routes();
    routes.extend(crate::portal::auth::routes());
    routes.extend(crate::portal::brand::portal_routes());
    routes.extend(crate::portal::chat::routes());
    routes
}

/// A portal route's two registrations: by slug, then bare for a portal domain.
pub struct PortalRoutes([RouteDef; 2]);

impl PortalRoutes {
    /// Declares a valid example body for both (see `RouteDef::example`).
    pub fn example(self, fields: &'static [(&'static str, &'static str)]) -> PortalRoutes {
        let [by_slug, by_host] = self.0;
        PortalRoutes([by_slug.example(fields), by_host.example(fields)])
    }
}

impl IntoIterator for PortalRoutes {
    type Item = RouteDef;
    type IntoIter = std::array::IntoIter<RouteDef, 2>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

pub fn get<F, Args>(path: &'static str, access: Access, handler: F) -> PortalRoutes
where
    F: Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: Responder + 'static,
{
    both(Method::GET, path, access, handler)
}

pub fn post<F, Args>(path: &'static str, access: Access, handler: F) -> PortalRoutes
where
    F: Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: Responder + 'static,
{
    both(Method::POST, path, access, handler)
}

fn both<F, Args>(method: Method, path: &'static str, access: Access, handler: F) -> PortalRoutes
where
    F: Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: Responder + 'static,
{
    assert!(path.is_empty() || path.starts_with('/'), "portal paths start with / (or are empty): {path}");
    let by_slug = RouteDef::new(method.clone(), intern(format!("{PREFIX}{path}")), access, handler.clone());
    let bare = if path.is_empty() { "/" } else { path };
    let by_host = RouteDef::new(method, bare, access, handler).on_portal_host();
    PortalRoutes([by_slug, by_host])
}

/// The slug paths as `&'static str` (what the route table holds), made once per distinct path.
fn intern(path: String) -> &'static str {
    static PATHS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut paths = PATHS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = paths.get(path.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(path.into_boxed_str());
    paths.insert(leaked);
    leaked
}

/// The route guard of the bare variants: the request's host is not the application's own (its base URL's).
pub fn is_portal_host(ctx: &GuardContext) -> bool {
    let Some(state) = ctx.app_data::<web::Data<AppState>>() else { return false };
    let Some(host) = request_host(ctx.head(), state.config.trust_proxy) else { return false };
    // An address or "localhost" is never a client's domain: the staff app reached that way stays the staff app.
    let by_address = host == "localhost" || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok();
    !by_address && host != app_host(&state.config.base_url)
}

/// The host a request was sent to, lowercased and without its port: X-Forwarded-Host behind a trusted proxy,
/// else Host (or the HTTP/2 authority).
pub fn request_host(head: &RequestHead, trust_proxy: bool) -> Option<String> {
    let header_value = |name: &str| head.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let forwarded = trust_proxy.then(|| header_value("x-forwarded-host")).flatten();
    let raw = forwarded
        .and_then(|v| v.split(',').next().map(|h| h.trim().to_string()))
        .or_else(|| header_value(header::HOST.as_str()))
        .or_else(|| head.uri.authority().map(|a| a.to_string()))?;
    Some(without_port(&raw).to_ascii_lowercase())
}

/// The application's own host, from its base URL ("https://palisade.example.com/" -> "palisade.example.com").
fn app_host(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    without_port(authority).to_ascii_lowercase()
}

fn without_port(authority: &str) -> &str {
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.chars().all(|c| c.is_ascii_digit()) && !host.ends_with(':') => {
            host
        }
        _ => authority,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_compared_without_ports() {
        assert_eq!(app_host("https://Palisade.example.com/"), "palisade.example.com");
        assert_eq!(app_host("http://localhost:8080"), "localhost");
        assert_eq!(without_port("help.client.test:443"), "help.client.test");
        assert_eq!(without_port("help.client.test"), "help.client.test");
        assert_eq!(without_port("[::1]:8080"), "[::1]");
    }

    #[test]
    fn each_route_is_declared_once_and_registered_twice() {
        let routes: Vec<RouteDef> = get("/account", Access::Public, || async { "" }).into_iter().collect();
        let paths: Vec<(&str, bool)> = routes.iter().map(|r| (r.path, r.portal_host)).collect();
        assert_eq!(paths, [("/portal/{client_slug}/account", false), ("/account", true)]);
        let home: Vec<&str> = get("", Access::Public, || async { "" }).into_iter().map(|r| r.path).collect();
        assert_eq!(home, ["/portal/{client_slug}", "/"]);
    }
}
