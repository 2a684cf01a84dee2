//! The route table: every area declares its routes here-in-code as (method, path, access, handler). The same
//! table registers the routes, wraps each in the guard that enforces its access before the handler runs, feeds
//! the nav and "land on the same section" logic, and is what the access-matrix test walks.
//!
//! An `Access` says both how the principal is resolved and what it needs:
//!
//! ```text
//! get("/msp/clients", Msp(ViewClients), clients::list)                 // staff, on their MSP  -> MspScope
//! post("/settings/team/invite", Org(ManageTeam), team::invite)         // staff, current org   -> Scope
//!     .example(&[("email", "new@example.com"), ("role", "EMPLOYEE")])  // a valid body for the access matrix
//! get("/portal/{client_slug}", Portal(UsePortal), portal::home)        // client end user      -> PortalScope
//! get("/audit", Auditor, audit::home)                                  // auditor grant        -> AuditorScope
//! get("/api/v1/organization", ApiKey(ReadOrganization), api::org)      // bearer key, no csrf  -> ApiKeyScope
//! get("/login", Public, login_page)                                    // anyone               -> Option<Identity>
//! ```

use std::collections::BTreeMap;

use actix_web::http::Method;
use actix_web::{Handler, Responder, web};

use crate::auth::Permission;
use crate::auth::api_keys::ApiScope;
use crate::auth::scope::Identity;
use crate::web::guard::Guard;

/// Who may call a route: how the principal is resolved, and what it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone. A staff session, when there is one, is still validated and offered as `Option<Identity>`.
    Public,
    /// Any signed-in staff user, whatever organization they are in (profile, switcher). -> `Identity`
    SignedIn,
    /// Staff in the current organization, with this permission there. -> `Scope`
    Org(Permission),
    /// Staff acting on their MSP (whatever client is selected), with this permission in the MSP. -> `MspScope`
    Msp(Permission),
    /// Installation super admins only. -> `SuperAdmin`
    SuperAdmin,
    /// A signed-in end user of the client named by `{client_slug}` in the path (or the request's host), with
    /// this permission there. -> `PortalScope`
    Portal(Permission),
    /// An external auditor let in by an emailed link (a token-scoped session). -> `AuditorScope`
    Auditor,
    /// An API key in `Authorization: Bearer`, holding this scope: no cookie, no csrf. -> `ApiKeyScope`
    ApiKey(ApiScope),
}

/// How a route's principal is resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal {
    /// Nobody needs to be signed in (a staff session is still resolved when present).
    Anyone,
    /// A staff session (the sign-in form).
    Staff,
    /// A staff-style session of a client's end user, checked against the portal's client.
    PortalUser,
    Auditor,
    ApiKey,
}

impl Access {
    pub fn principal(self) -> Principal {
        match self {
            Access::Public => Principal::Anyone,
            Access::SignedIn | Access::Org(_) | Access::Msp(_) | Access::SuperAdmin => Principal::Staff,
            Access::Portal(_) => Principal::PortalUser,
            Access::Auditor => Principal::Auditor,
            Access::ApiKey(_) => Principal::ApiKey,
        }
    }

    /// Does a staff identity satisfy this access? (Only staff accesses can be; others are checked by their
    /// own resolvers.)
    pub fn allows(self, identity: Option<&Identity>) -> bool {
        match (self, identity) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::SignedIn, Some(_)) => true,
            (Access::Org(p), Some(id)) => id.can(p),
            (Access::Msp(p), Some(id)) => id.can_in_msp(p),
            (Access::SuperAdmin, Some(id)) => id.user.is_super_admin,
            (Access::Portal(_) | Access::Auditor | Access::ApiKey(_), Some(_)) => false,
        }
    }

    /// Routes that act inside one organization: their forms carry the organization they were rendered for
    /// (`_org`), which must be the one the request acts on; a missing or different one is refused.
    pub fn is_org_scoped(self) -> bool {
        matches!(self, Access::Org(_) | Access::Msp(_))
    }

    pub fn describe(self) -> String {
        match self {
            Access::Public => "public".into(),
            Access::SignedIn => "signed in".into(),
            Access::Org(p) => p.label().into(),
            Access::Msp(p) => format!("{} (MSP)", p.label()),
            Access::SuperAdmin => "super admin".into(),
            Access::Portal(p) => format!("{} (portal)", p.label()),
            Access::Auditor => "auditor".into(),
            Access::ApiKey(scope) => format!("API key with {}", scope.id()),
        }
    }
}

pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// A valid form body for this route (what a person with access would submit): the access matrix posts it
    /// so that refused writes are refused with input that would otherwise succeed. A value may name one of the
    /// matrix's fixture ids in braces, like a path parameter (`("staff", "{staff_id}")`).
    pub example: &'static [(&'static str, &'static str)],
    /// Only for requests whose host is a client's own portal domain, not the application's host (the bare
    /// variants of portal routes, `portal::routes`): tried before the staff route of the same path.
    pub portal_host: bool,
    route: Option<actix_web::Route>,
}

impl RouteDef {
    pub(crate) fn new<F, Args>(method: Method, path: &'static str, access: Access, handler: F) -> RouteDef
    where
        F: Handler<Args>,
        Args: actix_web::FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let route = web::route().method(method.clone()).to(handler);
        RouteDef { method, path, access, example: &[], portal_host: false, route: Some(route) }
    }

    /// Makes the route match only on a client's own portal domain (see `portal_host`).
    pub(crate) fn on_portal_host(mut self) -> RouteDef {
        self.route =
            self.route.take().map(|r| r.guard(actix_web::guard::fn_guard(crate::portal::routes::is_portal_host)));
        self.portal_host = true;
        self
    }

    /// Declares the route's example body (see `example`).
    pub fn example(mut self, fields: &'static [(&'static str, &'static str)]) -> RouteDef {
        self.example = fields;
        self
    }

    /// The path parameters of the route, e.g. `["client_id"]` for `/msp/clients/{client_id}`.
    pub fn params(&self) -> Vec<&'static str> {
        self.path.split('{').skip(1).filter_map(|rest| rest.split('}').next()).collect()
    }
}

pub fn get<F, Args>(path: &'static str, access: Access, handler: F) -> RouteDef
where
    F: Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: Responder + 'static,
{
    RouteDef::new(Method::GET, path, access, handler)
}

pub fn post<F, Args>(path: &'static str, access: Access, handler: F) -> RouteDef
where
    F: Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: Responder + 'static,
{
    RouteDef::new(Method::POST, path, access, handler)
}

/// Every route of the application, from every area.
pub fn all() -> Vec<RouteDef> {
    let mut routes = Vec::new();
    routes.extend(crate::auth::handlers::routes());
    routes.extend(crate::auth::principals_routes());
    routes.extend(crate::portal::routes::all());
    routes.extend(crate::orgs::routes());
    routes.extend(crate::audit::routes());
    routes.extend(crate::compliance::routes());
    routes.extend(crate::mail::routes());
    routes.extend(crate::jobs::routes());
    routes.extend(crate::psa::routes());
    routes.extend(crate::billing::routes());
    routes.extend(crate::portal::brand::routes());
    routes.extend(crate::portal::auth::staff_routes());
    routes
}

/// Registers the routes, grouped by path (one resource per path), each wrapped in its guard, and the paths
/// grouped by their first segment: actix tries an application's services one by one (a regular expression for
/// each path with a parameter), so a request to `/tickets/42` should try the `/tickets` section's paths only, not
/// every path of the application sorted before it (5% of a list page's CPU went there).
pub fn register(cfg: &mut web::ServiceConfig, routes: Vec<RouteDef>) {
    let mut by_path: BTreeMap<&'static str, Vec<RouteDef>> = BTreeMap::new();
    for route in routes {
        by_path.entry(route.path).or_default().push(route);
    }
    let mut sections: BTreeMap<&'static str, Vec<(&'static str, Vec<RouteDef>)>> = BTreeMap::new();
    for (path, defs) in by_path {
        sections.entry(first_segment(path)).or_default().push((path, defs));
    }
    for (section, paths) in sections {
        if section.is_empty() || paths.len() < 2 {
            for (path, defs) in paths {
                cfg.service(resource(path, defs));
            }
            continue;
        }
        let mut scope = web::scope(section);
        for (path, defs) in paths {
            scope = scope.service(resource(&path[section.len()..], defs));
        }
        cfg.service(scope);
    }
}

/// `/tickets` of `/tickets/{number}/replies`; "" for `/` and for a path whose first segment has a parameter
/// (never in a scope: a scope is a fixed prefix).
fn first_segment(path: &str) -> &str {
    let end = path[1..].find('/').map_or(path.len(), |i| i + 1);
    let segment = &path[..end];
    if segment.len() < 2 || segment.contains('{') { "" } else { segment }
}

/// One path's routes as a resource (`path` relative to its scope).
fn resource(path: &str, defs: Vec<RouteDef>) -> actix_web::Resource {
    let mut resource = web::resource(path);
    // A portal domain's routes first: on the application's own host their guard passes the request on.
    let (mut defs, staff): (Vec<RouteDef>, Vec<RouteDef>) = defs.into_iter().partition(|d| d.portal_host);
    if staff.is_empty() {
        // A path only portal domains have is not found on the application's host (not "method not allowed").
        resource = resource
            .default_service(web::to(|| async { Err::<actix_web::HttpResponse, _>(crate::error::AppError::NotFound) }));
    }
    defs.extend(staff);
    for mut def in defs {
        if let Some(route) = def.route.take() {
            resource = resource.route(route.wrap(Guard::new(def.access)));
        }
    }
    resource
}

/// The access of the GET route with exactly this path (no parameters), if there is one: used to land on "the
/// same section" after switching organization, and for the nav.
pub fn get_access_for(path: &str) -> Option<Access> {
    static TABLE: std::sync::OnceLock<Vec<(&'static str, Access)>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        all()
            .into_iter()
            .filter(|r| r.method == Method::GET && !r.path.contains('{') && !r.portal_host)
            .map(|r| (r.path, r.access))
            .collect()
    });
    table.iter().find(|(p, _)| *p == path).map(|(_, a)| *a)
}

#[cfg(test)]
mod tests {
    use super::first_segment;

    #[test]
    fn paths_group_by_a_fixed_first_segment() {
        assert_eq!(first_segment("/tickets/{number}/replies"), "/tickets");
        assert_eq!(first_segment("/tickets"), "/tickets");
        assert_eq!(first_segment("/"), "");
        assert_eq!(first_segment("/{slug}/x"), "");
    }
}
