//! The route table: every area declares its routes here-in-code as (method, path, access, handler). The same
//! table registers the routes, wraps each in the guard that enforces its access before the handler runs, feeds
//! the nav and "land on the same section" logic, and is what the access-matrix test walks.

use std::collections::BTreeMap;

use actix_web::http::Method;
use actix_web::{Handler, Responder, web};

use crate::auth::Permission;
use crate::auth::scope::Identity;
use crate::orgs::OrgKind;
use crate::web::guard::Guard;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in, onboarding, emailed-token pages, health).
    Public,
    /// Any signed-in user, whatever organization they are in (profile, switcher).
    SignedIn,
    /// The current organization, with this permission there.
    Org(Permission),
    /// The current organization must be an MSP, with this permission there.
    Msp(Permission),
    /// Installation super admins only.
    SuperAdmin,
}

impl Access {
    /// Is this access satisfied by the identity (None = not signed in)?
    pub fn allows(self, identity: Option<&Identity>) -> bool {
        match (self, identity) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::SignedIn, Some(_)) => true,
            (Access::Org(p), Some(id)) => id.can(p),
            (Access::Msp(p), Some(id)) => id.org.as_ref().is_some_and(|o| o.kind == OrgKind::Msp) && id.can(p),
            (Access::SuperAdmin, Some(id)) => id.user.is_super_admin,
        }
    }

    /// Routes that work inside the current organization: their forms carry the organization they were
    /// rendered for, checked against the current one.
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
        }
    }
}

pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    route: Option<actix_web::Route>,
}

impl RouteDef {
    fn new<F, Args>(method: Method, path: &'static str, access: Access, handler: F) -> RouteDef
    where
        F: Handler<Args>,
        Args: actix_web::FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let route = web::route().method(method.clone()).to(handler);
        RouteDef { method, path, access, route: Some(route) }
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
    routes.extend(crate::orgs::routes());
    routes.extend(crate::audit::routes());
    routes.extend(crate::compliance::routes());
    routes.extend(crate::mail::routes());
    routes.extend(crate::jobs::routes());
    routes
}

/// Registers the routes, grouped by path (one resource per path), each wrapped in its guard.
pub fn register(cfg: &mut web::ServiceConfig, routes: Vec<RouteDef>) {
    let mut by_path: BTreeMap<&'static str, Vec<RouteDef>> = BTreeMap::new();
    for route in routes {
        by_path.entry(route.path).or_default().push(route);
    }
    for (path, defs) in by_path {
        let mut resource = web::resource(path);
        for mut def in defs {
            if let Some(route) = def.route.take() {
                resource = resource.route(route.wrap(Guard::new(def.access)));
            }
        }
        cfg.service(resource);
    }
}

/// The access of the GET route with exactly this path (no parameters), if there is one: used to land on "the
/// same section" after switching organization.
pub fn get_access_for(path: &str) -> Option<Access> {
    static TABLE: std::sync::OnceLock<Vec<(&'static str, Access)>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        all()
            .into_iter()
            .filter(|r| r.method == Method::GET && !r.path.contains('{'))
            .map(|r| (r.path, r.access))
            .collect()
    });
    table.iter().find(|(p, _)| *p == path).map(|(_, a)| *a)
}
