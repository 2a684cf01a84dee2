//! The access matrix, built from the application's own route table: for every route, for each kind of principal
//! (visitors; staff in every role in an MSP, in a client, and through an MSP at each tier; a super admin; a
//! client's end user; an auditor; an API key) and for the same kinds from another tenant, the answer is what the
//! permission table says. Every POST carries the route's example body (declared beside the route), so a refused
//! write is refused with input that would otherwise be accepted; for every foreign persona, every row the tenant
//! owns (all tables, all columns) is byte-identical afterwards. A new route is covered without anyone adding it.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::Method;
use diesel::prelude::*;

use crate::support::fixture;
use crate::support::{TestApp, start_time, table_snapshot};
use palisade::auth::api_keys::{self, ApiScope};
use palisade::auth::permissions::{Permission, PermissionSet, Role, Tier};
use palisade::auth::{auditor, sessions};
use palisade::db::ids::{OrgId, UserId};
use palisade::orgs::OrgKind;
use palisade::portal::routes::PREFIX as PORTAL_PREFIX;
use palisade::schema::organizations;
use palisade::web::routes::{self, Access, Principal};

/// Who is asking.
#[derive(Clone, Debug)]
enum Persona {
    Visitor,
    /// A member with this role in the MSP itself.
    MspMember(Role),
    /// A member with this role in a client (T2), directly. `PortalUser` is the client's end user.
    ClientMember(Role),
    /// MSP staff working in a client at this tier.
    ViaMsp(Role, Tier),
    /// A member with this role in a client (T2), on its compliance team.
    ClientTeam(Role),
    /// MSP staff on the MSP's compliance team, working in a client at this tier.
    ViaMspTeam(Role, Tier),
    SuperAdmin,
    /// An auditor let in to the T2 client.
    Auditor,
    /// An API key of the T2 client holding every scope.
    ApiKey,
    /// The admin of another MSP, using this tenant's ids.
    OtherTenant,
    /// The end user of another MSP's client, at this tenant's portal.
    OtherPortalUser,
    /// An auditor of another MSP's client.
    OtherAuditor,
    /// An API key of another MSP's client.
    OtherApiKey,
}

impl Persona {
    fn is_foreign(&self) -> bool {
        matches!(
            self,
            Persona::Visitor
                | Persona::OtherTenant
                | Persona::OtherPortalUser
                | Persona::OtherAuditor
                | Persona::OtherApiKey
        )
    }

    /// A staff session's permissions: in the current organization, and in the person's MSP (MSP routes).
    fn staff(&self) -> Option<(PermissionSet, PermissionSet, bool)> {
        let none = PermissionSet::EMPTY;
        match self {
            Persona::MspMember(role) => Some((role.permissions(), role.permissions(), false)),
            // A client's end user signs in to the portal only: no staff session.
            Persona::ClientMember(Role::PortalUser) => None,
            Persona::ClientMember(role) => Some((role.permissions(), none, false)),
            Persona::ViaMsp(role, tier) => {
                Some((role.permissions().intersect(PermissionSet::tier_cap(*tier)), role.permissions(), false))
            }
            Persona::ClientTeam(role) => Some((role.permissions_with(true), none, false)),
            Persona::ViaMspTeam(role, tier) => {
                let perms = role.permissions_with(true);
                Some((perms.intersect(PermissionSet::tier_cap(*tier)), perms, false))
            }
            Persona::SuperAdmin => Some((Role::Admin.permissions(), Role::Admin.permissions(), true)),
            Persona::OtherTenant => Some((Role::Admin.permissions(), Role::Admin.permissions(), false)),
            _ => None,
        }
    }

    /// Does the permission table give this persona the route (None: "refused", of whatever kind)?
    fn allowed(&self, access: Access) -> bool {
        if access == Access::Public {
            return true;
        }
        // The tenant's portal: only its own end users' portal sessions, with the permission (a staff session
        // never opens it).
        if let Access::Portal(p) = access {
            return matches!(self, Persona::ClientMember(Role::PortalUser))
                && Role::PortalUser.permissions().contains(p);
        }
        if let Some((org, msp, is_super)) = self.staff() {
            return match access {
                Access::SignedIn => true,
                Access::Org(p) => org.contains(p),
                Access::Msp(p) => msp.contains(p),
                Access::SuperAdmin => is_super,
                _ => false,
            };
        }
        match access {
            Access::Auditor => matches!(self, Persona::Auditor | Persona::OtherAuditor),
            Access::ApiKey(_) => matches!(self, Persona::ApiKey | Persona::OtherApiKey),
            _ => false,
        }
    }
}

/// The tenant under test, the persona's way in, and the ids its routes are called with.
struct World {
    email: Option<String>,
    /// The portal the persona signs in to (`/portal/{slug}`), for a client's end user: no staff sign-in then.
    portal: Option<String>,
    switch_to: Option<OrgId>,
    /// The organization the persona's forms are for: the current one, and (MSP routes) their MSP.
    org_form: Option<OrgId>,
    msp_form: Option<OrgId>,
    auditor_token: Option<String>,
    api_key: Option<String>,
    params: HashMap<&'static str, String>,
    tenant_orgs: Vec<OrgId>,
    tenant_users: Vec<UserId>,
}

async fn build(app: &TestApp, persona: &Persona) -> World {
    let mut conn = app.conn();
    let f = fixture::msp(&mut conn);
    let other = fixture::other(&mut conn);
    let now = start_time();
    let person = fixture::user(&mut conn, "persona@people.test", "Pat Persona");
    // The client the MSP routes' ids name: no persona works in it, so changing its tier or archiving it (which
    // allowed personas do, with the example bodies) moves nobody's context.
    let spare = fixture::client_of(&mut conn, &f.msp, SPARE_CLIENT, Tier::Operate);
    let mut world = World {
        email: Some("persona@people.test".into()),
        portal: None,
        switch_to: None,
        org_form: None,
        msp_form: None,
        auditor_token: None,
        api_key: None,
        params: HashMap::new(),
        tenant_orgs: vec![f.msp.clone(), f.t1.clone(), f.t2.clone(), f.t3.clone(), spare.clone()],
        tenant_users: vec![],
    };
    match persona {
        Persona::Visitor => world.email = None,
        Persona::MspMember(role) => {
            fixture::member(&mut conn, &f.msp, &person, *role);
            fixture::assign(&mut conn, &f.t2, &[&f.tech, &person]);
            (world.org_form, world.msp_form) = (Some(f.msp.clone()), Some(f.msp.clone()));
        }
        Persona::ClientMember(role) => {
            fixture::member(&mut conn, &f.t2, &person, *role);
            world.org_form = Some(f.t2.clone());
            if *role == Role::PortalUser {
                world.portal = Some("/portal/tier-two-legal".into());
            }
        }
        Persona::ClientTeam(role) => {
            let membership = fixture::member(&mut conn, &f.t2, &person, *role);
            fixture::on_compliance_team(&mut conn, &membership);
            world.org_form = Some(f.t2.clone());
        }
        Persona::ViaMsp(role, tier) | Persona::ViaMspTeam(role, tier) => {
            let membership = fixture::member(&mut conn, &f.msp, &person, *role);
            if matches!(persona, Persona::ViaMspTeam(..)) {
                fixture::on_compliance_team(&mut conn, &membership);
            }
            let client = [&f.t1, &f.t2, &f.t3][*tier as usize].clone();
            fixture::assign(&mut conn, &client, &[&person]);
            (world.org_form, world.msp_form) = (Some(client.clone()), Some(f.msp.clone()));
            world.switch_to = Some(client);
        }
        Persona::SuperAdmin => {
            world.email = Some("admin@northwind.test".into());
            (world.org_form, world.msp_form) = (Some(f.msp.clone()), Some(f.msp.clone()));
        }
        Persona::OtherTenant => {
            world.email = Some("admin@contoso.test".into());
            (world.org_form, world.msp_form) = (Some(other.msp.clone()), Some(other.msp.clone()));
        }
        Persona::OtherPortalUser => {
            fixture::member(&mut conn, &other.client, &person, Role::PortalUser);
            world.org_form = Some(other.client.clone());
            world.portal = Some("/portal/rival-client-bakery".into());
        }
        Persona::Auditor | Persona::OtherAuditor => {
            world.email = None;
            let org = if matches!(persona, Persona::Auditor) { &f.t2 } else { &other.client };
            let until = now + chrono::Duration::days(30);
            let (token, _) =
                auditor::create(&mut conn, org, "audit@firm.test", "Ada Auditor", until, None, now).unwrap();
            world.auditor_token = Some(token);
        }
        Persona::ApiKey | Persona::OtherApiKey => {
            world.email = None;
            let org = if matches!(persona, Persona::ApiKey) { &f.t2 } else { &other.client };
            let (key, _) = api_keys::create(&mut conn, org, "matrix", &ApiScope::ALL, None, now).unwrap();
            world.api_key = Some(key);
        }
    }
    // The tenant's client has its own portal domain: the portal's bare routes are checked there.
    diesel::update(organizations::table.find(&f.t2))
        .set(organizations::portal_host.eq(Some(T2_PORTAL_HOST)))
        .execute(&mut conn)
        .unwrap();
    // Staff come back to their organization after every form (some forms switch it, on purpose).
    if world.email.is_some() && world.portal.is_none() && world.switch_to.is_none() {
        world.switch_to = world.org_form.clone();
    }
    // Ids in the tenant under test: for foreign personas they point at data that is not theirs.
    let target_org = match &world.org_form {
        Some(org) if !persona.is_foreign() => org.clone(),
        _ => f.msp.clone(),
    };
    let target_user = fixture::user(&mut conn, "target@people.test", "Tara Target");
    let member_id = fixture::member(&mut conn, &target_org, &target_user, Role::Employee);
    let browser = palisade::audit::Actor {
        user_agent: "Firefox/1 (X11; Linux)".into(),
        ..palisade::audit::Actor::system("", now)
    };
    let their_session = sessions::start(&mut conn, &f.client_admin, &browser).unwrap();
    let invitation = fixture::invitation(&mut conn, &target_org);
    let failed_mail = fixture::failed_mail(&mut conn, &target_org, now);
    let desk = crate::desk::matrix_fixture(&mut conn, &target_org, &f.admin);
    let (article, article_file) = crate::desk::kb::matrix_article(&mut conn, &target_org);
    let (asset, asset_file) = crate::desk::assets::matrix_fixture(&mut conn, &target_org);
    let (risk, assessment) = crate::compliance::risks::matrix_fixture(&mut conn, &target_org, &f.admin);
    let inbound_message = crate::inbound::matrix_message(&mut conn, &f.msp, now);
    let time_entry = crate::time::matrix_entry(&mut conn, &f.msp, &f.t2, &f.tech);
    let (work_type, client_rate) = crate::billing::matrix_fixture(&mut conn, &f.msp, &f.t2);
    let invoice = crate::invoices::matrix_invoice(&mut conn, &f.msp, &f.t2);
    let agreement = crate::billing::matrix_agreement(&mut conn, &f.msp, &f.t2);
    // The tenant's compliance program: HIPAA adopted (its controls exist), and evidence with a stored file sent
    // for approval by someone else than the persona.
    fixture::adopt(&mut conn, &target_org, "hipaa", now);
    let (baa, dsr) = (fixture::baa(&mut conn, &target_org, now), fixture::dsr(&mut conn, &target_org, now));
    // A published policy written by the target user and approved by the MSP's admin, and a person.
    let policy = crate::compliance::policies::published(&mut conn, &target_org, &target_user, &f.admin, now);
    let directory_person = crate::compliance::people::matrix_person(&mut conn, &target_org);
    let campaign = crate::compliance::campaigns::matrix_campaign(&mut conn, &target_org, &policy, now);
    let chat = crate::portal::chat::matrix_chat(&mut conn, &f.t2, &f.msp, &target_user, now);
    let (portal_account, access_request) = crate::portal::accounts::matrix_fixture(&mut conn, &target_org);
    drop(conn);
    let evidence = fixture::evidence_file(app, &target_org, &target_user, "Signed policy", &["CCF-AC-01"]).await;
    world.params = HashMap::from([
        ("client_id", spare.to_string()),
        ("member_id", member_id.to_string()),
        ("invitation_id", invitation.to_string()),
        ("org_id", spare.to_string()),
        ("session_id", their_session.to_string()),
        ("client_slug", "tier-two-legal".to_string()),
        ("staff_id", f.tech.to_string()),
        ("token", palisade::auth::tokens::new_token()),
        ("framework_id", "hipaa".to_string()),
        ("control_id", "CCF-AC-01".to_string()),
        ("mail_id", failed_mail.to_string()),
        ("evidence_id", evidence.to_string()),
        ("revision", "1".to_string()),
        ("baa_id", baa),
        ("dsr_id", dsr),
        ("contact_id", desk.contact.to_string()),
        ("ticket_id", desk.ticket.to_string()),
        ("number", "1".to_string()),
        ("other_number", "2".to_string()),
        ("related", "2".to_string()),
        ("watcher_id", desk.watcher),
        ("attachment_id", desk.attachment),
        ("policy_id", desk.policy),
        ("rule_id", desk.rule),
        ("template_id", desk.template),
        ("canned_id", desk.canned),
        ("recurring_id", desk.recurring),
        ("entry_id", time_entry),
        ("work_type_id", work_type),
        ("rate_id", client_rate),
        ("invoice_id", invoice),
        ("agreement_id", agreement),
        ("message_id", inbound_message),
        ("article_id", article),
        ("article_file_id", article_file),
        ("asset_id", asset),
        ("asset_file_id", asset_file),
        ("policy_doc_id", policy),
        ("version", "1".to_string()),
        ("person_id", directory_person),
        ("risk_id", risk),
        ("assessment_id", assessment),
        ("campaign_id", campaign),
        ("chat_id", chat),
        ("account_id", portal_account),
        ("request_id", access_request),
    ]);
    world.tenant_users =
        vec![f.admin.clone(), f.msp_admin.clone(), f.tech.clone(), f.client_admin.clone(), target_user];
    if !persona.is_foreign() {
        world.tenant_users.push(person);
    }
    world
}

const SPARE_CLIENT: &str = "Spare Parts Company";
const T2_PORTAL_HOST: &str = "help.tiertwo.test";

/// Path parameters that name global reference data (the compliance catalog), not a tenant's rows: every
/// organization reads the same framework or common control, so they are not "another tenant's id".
const GLOBAL_PARAMS: &[&str] = &["framework_id", "control_id", "token"];

/// Path parameters resolved inside the requester's own organization (ticket numbers): a foreign persona asking
/// for #1 gets its own organization's #1 or nothing, never the tenant's; the snapshot and the checks for the
/// tenant's names still apply to them.
const SCOPED_PARAMS: &[&str] = &["number", "other_number", "related"];

fn has_tenant_ids(route: &routes::RouteDef) -> bool {
    route.params().iter().any(|p| !GLOBAL_PARAMS.contains(p) && !SCOPED_PARAMS.contains(p))
}

/// `{name}` placeholders (in a path or an example value) replaced by the world's ids.
fn fill(text: &str, params: &HashMap<&'static str, String>) -> String {
    let mut out = text.to_string();
    while let Some(start) = out.find('{') {
        let end = start + out[start..].find('}').expect("closing brace");
        let name = &out[start + 1..end];
        let value = params
            .get(name)
            .unwrap_or_else(|| panic!("no fixture for {{{name}}} in {text}: add one to the access matrix"));
        out = format!("{}{}{}", &out[..start], value, &out[end + 1..]);
    }
    out
}

/// GETs first, then POSTs, with the ones that end the session last.
fn ordered_routes() -> Vec<routes::RouteDef> {
    let mut all = routes::all();
    let rank = |r: &routes::RouteDef| match (r.method.clone(), r.path) {
        (Method::GET, _) => 0,
        (_, "/profile/sign-out-everywhere" | "/logout" | "/login" | "/profile/password") => 2,
        _ => 1,
    };
    all.sort_by_key(rank);
    all
}

/// Rows the tenant owns: its organizations, their members and everything keyed by them, and all global data.
fn tenant_rows(world: &World) -> impl Fn(&str, &[String]) -> Option<String> + '_ {
    let list = |ids: Vec<String>| ids.iter().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(", ");
    let orgs = list(world.tenant_orgs.iter().map(|o| o.to_string()).collect());
    let users = list(world.tenant_users.iter().map(|u| u.to_string()).collect());
    move |table, columns| {
        let has = |c: &str| columns.iter().any(|col| col == c);
        Some(match table {
            "organizations" => format!("id IN ({orgs})"),
            "users" => format!("id IN ({users})"),
            _ if has("org_id") => format!("org_id IN ({orgs})"),
            _ if has("user_id") => format!("user_id IN ({users})"),
            _ => "1 = 1".to_string(),
        })
    }
}

type Snapshot = BTreeMap<String, Vec<String>>;

async fn check_persona(persona: Persona) -> Vec<String> {
    let app = TestApp::new().await;
    let world = build(&app, &persona).await;
    let mut c = app.client().await;
    c.bearer = world.api_key.clone();
    sign_in(&mut c, &world).await;
    let before: Option<Snapshot> = persona.is_foreign().then(|| table_snapshot(&mut app.conn(), &tenant_rows(&world)));
    if let Some(before) = &before {
        let rows = |table: &str| before.get(table).map(Vec::len).unwrap_or(0);
        assert!(rows("organizations") == 5 && rows("memberships") >= 5 && rows("sessions") >= 1, "{before:?}");
    }
    let mut failures = Vec::new();
    for route in ordered_routes() {
        let url = fill(route.path, &world.params);
        // A portal domain's routes are asked on the tenant client's portal domain.
        c.host = route.portal_host.then(|| T2_PORTAL_HOST.to_string());
        let resp = if route.method == Method::GET {
            c.get(&url).await
        } else {
            // Forms carry the tokens of a page the persona could open, and the organization the route acts on.
            c.host = None;
            let form_page = match (&world.portal, &world.email) {
                (Some(portal), _) => format!("{portal}/account"),
                (None, Some(_)) => "/profile".to_string(),
                (None, None) => "/login".to_string(),
            };
            c.get(&form_page).await;
            c.host = route.portal_host.then(|| T2_PORTAL_HOST.to_string());
            c.org = match route.access {
                Access::Msp(_) => world.msp_form.as_ref().or(world.org_form.as_ref()).map(|o| o.to_string()),
                _ => world.org_form.as_ref().map(|o| o.to_string()),
            };
            let body: Vec<(String, String)> =
                route.example.iter().map(|(k, v)| (k.to_string(), fill(v, &world.params))).collect();
            let fields: Vec<(&str, &str)> = body.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let resp = c.post(&url, &fields).await;
            // Whatever the route did to the session (ended it, moved its context), start the next one as before.
            c.host = None;
            sign_in(&mut c, &world).await;
            resp
        };
        let status = resp.status.as_u16();
        let mut fail =
            |why: &str| failures.push(format!("{persona:?} {} {} -> {status}: {why}", route.method, route.path));
        if status >= 500 {
            fail("server error");
            continue;
        }
        c.host = None;
        let access = route.access;
        // A portal domain names the tenant's client as its slug does.
        let names_tenant = has_tenant_ids(&route) || route.portal_host;
        let foreign_ids = persona.is_foreign() && names_tenant && access != Access::SignedIn;
        if access == Access::Public {
            if status == 403 && route.method == Method::GET {
                fail("public route refused");
            }
        } else if foreign_ids {
            if !matches!(status, 401 | 403 | 404) && !is_sign_in_redirect(&resp) {
                fail("another tenant's id must be refused (401, 403 or 404)");
            }
        } else if persona.allowed(access) {
            if matches!(status, 401 | 403) || is_sign_in_redirect(&resp) {
                fail("the permission table allows this");
            }
        } else if persona.staff().is_some() && matches!(access.principal(), Principal::Staff) {
            if status != 403 {
                fail("the permission table forbids this: expected 403");
            }
        } else {
            // Not signed in as what the route needs: pages send to sign-in, everything else is 401.
            let to_sign_in =
                route.method == Method::GET && matches!(access.principal(), Principal::Staff | Principal::PortalUser);
            let ok = if to_sign_in { is_sign_in_redirect(&resp) } else { status == 401 };
            if !ok {
                fail("without the principal the route needs: expected sign-in (303 to /login, or 401)");
            }
        }
        // The portal's public pages (its sign-in) show the client's brand to anyone, by design.
        let public_portal_page =
            access == Access::Public && (route.portal_host || route.path.starts_with(PORTAL_PREFIX));
        if persona.is_foreign() && status < 400 && !public_portal_page {
            for name in
                [fixture::MSP_NAME, "Tier Two Legal", "Tier One Dental", SPARE_CLIENT, "Olive Owner", "Tara Target"]
            {
                if resp.body.contains(name) {
                    failures
                        .push(format!("{persona:?} {} {}: shows another tenant's {name:?}", route.method, route.path));
                }
            }
        }
    }
    if let Some(before) = before {
        let after = table_snapshot(&mut app.conn(), &tenant_rows(&world));
        failures
            .extend(differences(&before, &after).into_iter().map(|d| format!("{persona:?} changed the tenant: {d}")));
    }
    failures
}

/// A redirect to the staff sign-in, or to a portal's (by slug or on its domain).
fn is_sign_in_redirect(resp: &crate::support::Resp) -> bool {
    let to_sign_in = |l: &str| {
        l.starts_with("/login?next=")
            || l.starts_with("/sign-in?next=")
            || (l.starts_with("/portal/") && l.contains("/sign-in?next="))
    };
    resp.status.as_u16() == 303 && resp.location.as_deref().is_some_and(to_sign_in)
}

/// Signs the persona in the way it gets in: the sign-in form (then its client), its audit link, or nothing.
async fn sign_in<S, B>(c: &mut crate::support::Client<S>, world: &World)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    if let (Some(portal), Some(email)) = (&world.portal, &world.email) {
        if c.get(&format!("{portal}/account")).await.status.as_u16() != 200 {
            c.portal_sign_in(portal, email).await;
        }
    } else if let Some(email) = &world.email {
        if c.get("/profile").await.status.as_u16() != 200 {
            c.sign_in(email).await;
        }
        if let Some(org) = &world.switch_to {
            c.get("/profile").await;
            c.org = None;
            c.post("/switch", &[("org_id", org.as_str())]).await;
        }
    } else if let Some(token) = &world.auditor_token
        && c.get("/audit").await.status.as_u16() != 200
    {
        c.get(&format!("/audit/{token}")).await.assert_status(303);
    }
}

fn differences(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    for (table, rows) in after {
        let old = before.get(table).cloned().unwrap_or_default();
        for row in rows.iter().filter(|r| !old.contains(r)) {
            out.push(format!("{table}: new or changed row {row}"));
        }
        for row in old.iter().filter(|r| !rows.contains(r)) {
            out.push(format!("{table}: row gone or changed {row}"));
        }
    }
    out
}

async fn run(personas: Vec<Persona>) {
    let mut failures = Vec::new();
    for persona in personas {
        failures.extend(check_persona(persona).await);
    }
    assert!(failures.is_empty(), "{} access matrix failures:\n{}", failures.len(), failures.join("\n"));
}

#[actix_web::test]
async fn visitors_and_other_tenants_change_nothing_of_the_tenant() {
    run(vec![
        Persona::Visitor,
        Persona::OtherTenant,
        Persona::OtherPortalUser,
        Persona::OtherAuditor,
        Persona::OtherApiKey,
    ])
    .await;
}

#[actix_web::test]
async fn super_admins_auditors_and_api_keys() {
    run(vec![Persona::SuperAdmin, Persona::Auditor, Persona::ApiKey]).await;
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
    let mut personas: Vec<Persona> = Tier::ALL.into_iter().map(|t| Persona::ViaMsp(Role::MspAdmin, t)).collect();
    personas.push(Persona::ViaMsp(Role::MspTechnician, Tier::Operate));
    run(personas).await;
}

#[actix_web::test]
async fn compliance_team_members_work_compliance_whatever_their_role() {
    run(vec![
        Persona::ClientTeam(Role::ReadOnly),
        Persona::ClientTeam(Role::Employee),
        Persona::ViaMspTeam(Role::MspTechnician, Tier::Operate),
        Persona::ViaMspTeam(Role::MspTechnician, Tier::Monitor),
    ])
    .await;
}

#[actix_web::test]
async fn every_route_has_its_fixtures_and_every_post_an_example_that_fills() {
    let params: HashMap<&'static str, String> = [
        "client_id",
        "member_id",
        "invitation_id",
        "org_id",
        "session_id",
        "client_slug",
        "staff_id",
        "token",
        "framework_id",
        "control_id",
        "mail_id",
        "evidence_id",
        "revision",
        "baa_id",
        "dsr_id",
        "contact_id",
        "ticket_id",
        "number",
        "other_number",
        "related",
        "watcher_id",
        "attachment_id",
        "policy_id",
        "rule_id",
        "template_id",
        "canned_id",
        "recurring_id",
        "entry_id",
        "work_type_id",
        "rate_id",
        "invoice_id",
        "agreement_id",
        "message_id",
        "article_id",
        "article_file_id",
        "asset_id",
        "asset_file_id",
        "policy_doc_id",
        "version",
        "person_id",
        "risk_id",
        "assessment_id",
        "campaign_id",
        "chat_id",
        "account_id",
        "request_id",
    ]
    .into_iter()
    .map(|p| (p, String::new()))
    .collect();
    for route in routes::all() {
        fill(route.path, &params);
        for (_, value) in route.example {
            fill(value, &params);
        }
    }
    // Every kind of principal has a route to be checked on.
    for principal in [Principal::Anyone, Principal::Staff, Principal::PortalUser, Principal::Auditor, Principal::ApiKey]
    {
        assert!(routes::all().iter().any(|r| r.access.principal() == principal), "no route for {principal:?}");
    }
    assert!(Permission::ALL.len() < 128);
}
