//! The access matrix, built from the application's own route table: for every route, for each role (in an MSP,
//! in a client, through an MSP at each tier), for a super admin, for a user of another tenant and for a
//! visitor, the answer is what the permission table says. A new route is covered here without anyone adding it.

use std::collections::HashMap;

use actix_web::http::Method;
use diesel::prelude::*;

use crate::support::TestApp;
use crate::support::fixture::{self, count};
use palisade::auth::permissions::{PermissionSet, Role, Tier};
use palisade::orgs::OrgKind;
use palisade::schema::invitations;
use palisade::web::routes::{self, Access};

/// Who is asking, and what the permission table says they hold in their current organization.
#[derive(Clone, Debug)]
enum Persona {
    Anonymous,
    /// A member with this role in the MSP itself.
    MspMember(Role),
    /// A member with this role in a client, directly.
    ClientMember(Role),
    /// MSP staff working in a client at this tier.
    ViaMsp(Role, Tier),
    SuperAdmin,
    /// The admin of another MSP, using this tenant's ids.
    OtherTenant,
}

impl Persona {
    fn all() -> Vec<Persona> {
        let mut all = vec![Persona::Anonymous, Persona::SuperAdmin, Persona::OtherTenant];
        all.extend(Role::allowed_in(OrgKind::Msp).into_iter().map(Persona::MspMember));
        all.extend(Role::allowed_in(OrgKind::Client).into_iter().map(Persona::ClientMember));
        all.extend(Tier::ALL.into_iter().map(|t| Persona::ViaMsp(Role::MspAdmin, t)));
        all.push(Persona::ViaMsp(Role::MspTechnician, Tier::Operate));
        all
    }

    /// (permissions, current organization is an MSP, super admin), from the role table and tier caps alone.
    fn expected(&self) -> Option<(PermissionSet, bool, bool)> {
        match self {
            Persona::Anonymous => None,
            Persona::MspMember(role) => Some((role.permissions(), true, false)),
            Persona::ClientMember(role) => Some((role.permissions(), false, false)),
            Persona::ViaMsp(role, tier) => {
                Some((role.permissions().intersect(PermissionSet::tier_cap(*tier)), false, false))
            }
            Persona::SuperAdmin | Persona::OtherTenant => {
                Some((Role::Admin.permissions(), true, matches!(self, Persona::SuperAdmin)))
            }
        }
    }

    fn allows(&self, access: Access) -> bool {
        let Some((perms, in_msp, is_super)) = self.expected() else { return access == Access::Public };
        match access {
            Access::Public | Access::SignedIn => true,
            Access::Org(p) => perms.contains(p),
            Access::Msp(p) => in_msp && perms.contains(p),
            Access::SuperAdmin => is_super,
        }
    }
}

/// The tenant under test, the persona's account and the ids its routes are called with.
struct World {
    email: Option<String>,
    switch_to: Option<String>,
    params: HashMap<&'static str, String>,
    tenant_names: Vec<&'static str>,
}

fn invitation(conn: &mut palisade::db::DbConnection, org: &str) -> String {
    let id = palisade::db::new_id();
    diesel::insert_into(invitations::table)
        .values((
            invitations::id.eq(&id),
            invitations::org_id.eq(org),
            invitations::email.eq("invitee@fixture.test"),
            invitations::role.eq("EMPLOYEE"),
            invitations::token_hash.eq(palisade::auth::tokens::hash_token(&palisade::auth::tokens::new_token())),
            invitations::expires_at.eq(palisade::db::now() + chrono::Duration::days(7)),
            invitations::created_at.eq(palisade::db::now()),
        ))
        .execute(conn)
        .unwrap();
    id
}

fn build(app: &TestApp, persona: &Persona) -> World {
    let mut conn = app.conn();
    let f = fixture::msp(&mut conn);
    let other = fixture::other(&mut conn);
    let person = fixture::user(&mut conn, "persona@people.test", "Pat Persona");
    let (email, context, switch_to) = match persona {
        Persona::Anonymous => (None, f.msp.clone(), None),
        Persona::MspMember(role) => {
            fixture::member(&mut conn, &f.msp, &person, *role);
            fixture::assign(&mut conn, &f.t2, &[&f.tech, &person]);
            (Some("persona@people.test"), f.msp.clone(), None)
        }
        Persona::ClientMember(role) => {
            fixture::member(&mut conn, &f.t2, &person, *role);
            (Some("persona@people.test"), f.t2.clone(), None)
        }
        Persona::ViaMsp(role, tier) => {
            fixture::member(&mut conn, &f.msp, &person, *role);
            let client = match tier {
                Tier::Monitor => f.t1.clone(),
                Tier::Operate => f.t2.clone(),
                Tier::Manage => f.t3.clone(),
            };
            fixture::assign(&mut conn, &client, &[&person]);
            (Some("persona@people.test"), client.clone(), Some(client))
        }
        Persona::SuperAdmin => (Some("admin@northwind.test"), f.msp.clone(), None),
        Persona::OtherTenant => (Some("admin@contoso.test"), other.msp.clone(), None),
    };
    // Ids in the tenant under test: for the other tenant they point at data that is not theirs.
    let target_org = if matches!(persona, Persona::OtherTenant) { f.msp.clone() } else { context.clone() };
    let target_user = fixture::user(&mut conn, "target@people.test", "Tara Target");
    let member_id = fixture::member(&mut conn, &target_org, &target_user, Role::Employee);
    let params = HashMap::from([
        ("client_id", f.t2.clone()),
        ("member_id", member_id),
        ("invitation_id", invitation(&mut conn, &target_org)),
        ("org_id", f.t2.clone()),
        ("token", palisade::auth::tokens::new_token()),
        ("framework_id", "hipaa".to_string()),
        ("control_id", "CCF-AC-01".to_string()),
        ("mail_id", palisade::db::new_id()),
    ]);
    World {
        email: email.map(str::to_string),
        switch_to,
        params,
        tenant_names: vec![fixture::MSP_NAME, "Tier Two Legal", "Tier One Dental", "Olive Owner", "Tara Target"],
    }
}

/// Path parameters that name global reference data (the compliance catalog), not a tenant's rows: every
/// organization reads the same framework or common control, so they are not "another tenant's id".
const GLOBAL_PARAMS: &[&str] = &["framework_id", "control_id"];

fn has_tenant_ids(path: &str) -> bool {
    routes::all()
        .into_iter()
        .find(|r| r.path == path)
        .is_some_and(|r| r.params().iter().any(|p| !GLOBAL_PARAMS.contains(p)))
}

fn fill(path: &str, params: &HashMap<&'static str, String>) -> String {
    let mut out = path.to_string();
    for name in routes::all().into_iter().find(|r| r.path == path).map(|r| r.params()).unwrap_or_default() {
        let value = params
            .get(name)
            .unwrap_or_else(|| panic!("no fixture for {{{name}}} in {path}: add one to the access matrix"));
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// GETs first, then POSTs, with the ones that end the session last.
fn ordered_routes() -> Vec<(Method, &'static str, Access)> {
    let mut all: Vec<(Method, &'static str, Access)> =
        routes::all().into_iter().map(|r| (r.method.clone(), r.path, r.access)).collect();
    let rank = |(m, p, _): &(Method, &str, Access)| match (m.clone(), *p) {
        (Method::GET, _) => 0,
        (_, "/profile/sign-out-everywhere" | "/logout" | "/login") => 2,
        _ => 1,
    };
    all.sort_by_key(rank);
    all
}

async fn check_persona(persona: Persona) -> Vec<String> {
    let app = TestApp::new().await;
    let world = build(&app, &persona);
    let mut c = app.client().await;
    if let Some(email) = &world.email {
        c.sign_in(email).await;
    }
    if let Some(org) = &world.switch_to {
        c.switch_to(org).await;
    }
    let mut failures = Vec::new();
    for (method, path, access) in ordered_routes() {
        let url = fill(path, &world.params);
        // Forms carry the tokens of a page the persona could open.
        c.get("/login").await;
        if world.email.is_some() {
            c.get("/profile").await;
        }
        let resp = if method == Method::GET { c.get(&url).await } else { c.post(&url, &[]).await };
        let status = resp.status.as_u16();
        if matches!(path, "/logout" | "/profile/sign-out-everywhere")
            && let Some(email) = &world.email
        {
            // The session ended as asked: start a new one for the routes that follow.
            c.sign_in(email).await;
            if let Some(org) = &world.switch_to {
                c.switch_to(org).await;
            }
        }
        let mut fail = |why: &str| failures.push(format!("{persona:?} {method} {path} -> {status}: {why}"));
        if status >= 500 {
            fail("server error");
            continue;
        }
        let has_ids = has_tenant_ids(path);
        match (&persona, access) {
            (_, Access::Public) => {
                if status == 403 {
                    fail("public route refused");
                }
            }
            (Persona::Anonymous, _) => {
                let ok = if method == Method::GET {
                    status == 303 && resp.location.as_deref().is_some_and(|l| l.starts_with("/login?next="))
                } else {
                    status == 401
                };
                if !ok {
                    fail("a visitor must be sent to sign in");
                }
            }
            (Persona::OtherTenant, _) if has_ids && access != Access::SignedIn => {
                if !matches!(status, 403 | 404) {
                    fail("another tenant's id must give 403 or 404");
                }
            }
            (persona, access) if persona.allows(access) => {
                if status == 401 || status == 403 {
                    fail("the permission table allows this");
                }
            }
            _ => {
                if status != 403 {
                    fail("the permission table forbids this: expected 403");
                }
            }
        }
        if matches!(persona, Persona::OtherTenant) && status < 400 {
            for name in &world.tenant_names {
                if resp.body.contains(name) {
                    failures.push(format!("{persona:?} {method} {path}: shows another tenant's {name:?}"));
                }
            }
        }
    }
    if matches!(persona, Persona::OtherTenant) {
        failures.extend(tenant_untouched(&app));
    }
    failures
}

/// After another tenant tried every route with this tenant's ids, nothing of this tenant has changed.
fn tenant_untouched(app: &TestApp) -> Vec<String> {
    let mut conn = app.conn();
    let checks = [
        ("archived clients", "SELECT COUNT(*) AS n FROM organizations WHERE archived_at IS NOT NULL"),
        ("deactivated members", "SELECT COUNT(*) AS n FROM memberships WHERE deactivated_at IS NOT NULL"),
        ("revoked invitations", "SELECT COUNT(*) AS n FROM invitations WHERE revoked_at IS NOT NULL"),
        ("changed tiers", "SELECT COUNT(*) AS n FROM organizations WHERE tier <> 'T2' AND name = 'Tier Two Legal'"),
    ];
    checks
        .iter()
        .filter(|(_, sql)| count(&mut conn, sql) != 0)
        .map(|(what, _)| format!("another tenant changed this tenant's {what}"))
        .collect()
}

async fn run(personas: Vec<Persona>) {
    let mut failures = Vec::new();
    for persona in personas {
        failures.extend(check_persona(persona).await);
    }
    assert!(failures.is_empty(), "{} access matrix failures:\n{}", failures.len(), failures.join("\n"));
}

#[actix_web::test]
async fn visitors_super_admins_and_other_tenants() {
    run(vec![Persona::Anonymous, Persona::SuperAdmin, Persona::OtherTenant]).await;
}

#[actix_web::test]
async fn every_role_in_an_msp() {
    run(Role::allowed_in(OrgKind::Msp).into_iter().map(Persona::MspMember).collect()).await;
}

#[actix_web::test]
async fn every_role_in_a_client() {
    run(Role::allowed_in(OrgKind::Client).into_iter().map(Persona::ClientMember).collect()).await;
}

#[actix_web::test]
async fn msp_staff_in_clients_at_every_tier() {
    let personas = Persona::all().into_iter().filter(|p| matches!(p, Persona::ViaMsp(..))).collect();
    run(personas).await;
}

#[actix_web::test]
async fn every_route_has_a_fixture_and_a_known_access() {
    let params = HashMap::from([
        ("client_id", String::new()),
        ("member_id", String::new()),
        ("invitation_id", String::new()),
        ("org_id", String::new()),
        ("token", String::new()),
        ("framework_id", String::new()),
        ("control_id", String::new()),
        ("mail_id", String::new()),
    ]);
    for route in routes::all() {
        fill(route.path, &params);
    }
    assert!(Persona::all().len() >= 20);
}
