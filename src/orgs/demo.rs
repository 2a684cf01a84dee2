//! `palisade demo`: a realistic demo installation (an MSP, its clients at every tier, staff in every role) on an
//! empty database, and the sign-ins to try it with.

use std::fmt::Write;

use diesel::RunQueryDsl;

use crate::audit::{self, Action, Actor, Target};
use crate::auth::password::hash_password;
use crate::auth::permissions::{Role, Tier};
use crate::auth::users;
use crate::clock::Clock;
use crate::db::ids::{OrgId, UserId};
use crate::db::{Db, DbConnection, settings, write_transaction};
use crate::error::AppError;
use crate::orgs::models::{self, OrgKind};

pub const DEMO_PASSWORD: &str = "palisade-demo-2026";

struct Person {
    name: &'static str,
    email: &'static str,
    org: usize,
    role: Role,
}

const ORGS: &[(&str, &str, OrgKind, Option<Tier>, &str)] = &[
    ("Northwind Managed IT", "northwind", OrgKind::Msp, None, "America/Chicago"),
    ("Acme Dental Group", "acme-dental", OrgKind::Client, Some(Tier::Manage), "America/New_York"),
    ("Birch & Cole Legal", "birch-cole-legal", OrgKind::Client, Some(Tier::Operate), "America/Chicago"),
    ("Cedar Precision Manufacturing", "cedar-precision", OrgKind::Client, Some(Tier::Operate), "America/Detroit"),
    ("Delta Family Health", "delta-family-health", OrgKind::Client, Some(Tier::Monitor), "America/Denver"),
];

const PEOPLE: &[Person] = &[
    Person { name: "Morgan Hale", email: "morgan@northwind.example", org: 0, role: Role::Admin },
    Person { name: "Priya Raman", email: "priya@northwind.example", org: 0, role: Role::MspAdmin },
    Person { name: "Tom Becker", email: "tom@northwind.example", org: 0, role: Role::MspTechnician },
    Person { name: "Lena Ortiz", email: "lena@northwind.example", org: 0, role: Role::ComplianceAdmin },
    Person { name: "Sam Okafor", email: "sam@northwind.example", org: 0, role: Role::ReadOnly },
    Person { name: "Dr. Ellen Park", email: "ellen@acmedental.example", org: 1, role: Role::Admin },
    Person { name: "Raj Malhotra", email: "raj@acmedental.example", org: 1, role: Role::ComplianceOfficer },
    Person { name: "Nina Alvarez", email: "nina@acmedental.example", org: 1, role: Role::PrivacyOfficer },
    Person { name: "Owen Fitch", email: "owen@acmedental.example", org: 1, role: Role::SecurityOfficer },
    Person { name: "Grace Liu", email: "grace@acmedental.example", org: 1, role: Role::Employee },
    Person { name: "Hank Moody", email: "hank@acmedental.example", org: 1, role: Role::ReadOnly },
    Person { name: "Jo Rivera", email: "jo@acmedental.example", org: 1, role: Role::PortalUser },
    Person { name: "Claire Birch", email: "claire@birchcole.example", org: 2, role: Role::Admin },
    Person { name: "Victor Stahl", email: "victor@cedarprecision.example", org: 3, role: Role::Admin },
    Person { name: "Dana White", email: "dana@deltahealth.example", org: 4, role: Role::Admin },
];

/// Seeds the demo on an empty database and returns the text to print.
pub fn seed(db: &Db) -> Result<String, String> {
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    write_transaction(&mut conn, seed_in).map_err(|e: AppError| e.to_string())
}

fn seed_in(conn: &mut DbConnection) -> Result<String, AppError> {
    if settings::get(conn, settings::ONBOARDED_AT)?.is_some() {
        return Err(AppError::BadRequest(
            "this database is already set up; run the demo on a fresh data directory, e.g. PALISADE_DATA_DIR=./demo-data palisade demo".into(),
        ));
    }
    let now = Clock::system().now();
    let actor = Actor::system("palisade demo", now);
    let mut org_ids: Vec<OrgId> = Vec::new();
    for (name, slug, kind, tier, tz) in ORGS {
        let contact = format!("it@{slug}.example");
        let new = models::NewOrg {
            kind: *kind,
            name,
            slug,
            timezone: tz,
            contact_email: &contact,
            seat_limit: models::DEFAULT_SEAT_LIMIT,
        };
        let id = models::insert_org(conn, &new, now)?;
        if let Some(tier) = tier {
            models::link_client(conn, &org_ids[0], &id, *tier)?;
        }
        audit::record(conn, &actor, Some(&id), Action::OrganizationCreated, Target::new("organization", &id, name))?;
        org_ids.push(id);
    }
    let hash = hash_password(DEMO_PASSWORD);
    let mut user_ids: Vec<UserId> = Vec::new();
    for (i, p) in PEOPLE.iter().enumerate() {
        let user_id = users::insert(conn, p.email, p.name, &hash, i == 0, now)?;
        models::insert_membership(conn, &org_ids[p.org], &user_id, p.role, now)?;
        let target = Target::new("user", &user_id, p.email).details(format!("role {}", p.role.id()));
        audit::record(conn, &actor, Some(&org_ids[p.org]), Action::MemberJoined, target)?;
        user_ids.push(user_id);
    }
    // The technician and the compliance admin work for two clients each; the read-only member sees one.
    let (tom, lena, sam) = (user_ids[2].clone(), user_ids[3].clone(), user_ids[4].clone());
    models::set_assignments(conn, &org_ids[1], &[tom.clone(), lena.clone(), sam], now)?;
    models::set_assignments(conn, &org_ids[2], &[tom, lena.clone()], now)?;
    seed_programs(conn, &org_ids, &user_ids, &lena, now)?;
    let tickets = crate::psa::demo::seed(conn, &org_ids[0], &org_ids[1..], &user_ids[2], now)?;
    settings::set(conn, settings::ONBOARDED_AT, &now.to_string(), now)?;
    settings::set(conn, settings::INSTALLATION_MODE, OrgKind::Msp.id(), now)?;
    Ok(format!(
        "{}\nService desk: {tickets} tickets with conversations across the clients, under the MSP's \"Standard support\" SLA policy.\n",
        report()
    ))
}

/// The frameworks each demo organization works on, and how far along it is.
const PROGRAMS: &[(usize, &[&str], f64)] = &[
    (0, &["soc2", "iso27001-2022"], 0.8),
    (1, &["hipaa", "soc2"], 0.55),
    (2, &["soc2", "iso27001-2022", "gdpr"], 0.35),
    (3, &["cmmc-2", "nist-csf-2"], 0.7),
    (4, &["hipaa"], 0.2),
];

/// Compliance programs for the demo organizations, owned by their compliance people (the MSP's compliance admin
/// too, in the clients she is assigned to).
fn seed_programs(
    conn: &mut DbConnection,
    org_ids: &[OrgId],
    user_ids: &[UserId],
    lena: &UserId,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let index = crate::compliance::program::index::embedded()?;
    for (n, (org, frameworks, progress)) in PROGRAMS.iter().enumerate() {
        let workers =
            [Role::Admin, Role::ComplianceAdmin, Role::ComplianceOfficer, Role::SecurityOfficer, Role::Employee];
        // The approver first (it approves the seeded evidence), then whoever works controls there.
        let mut people: Vec<UserId> = PEOPLE
            .iter()
            .zip(user_ids)
            .filter(|(p, _)| p.org == *org && workers.contains(&p.role))
            .map(|(_, id)| id.clone())
            .collect();
        if matches!(*org, 1 | 2) {
            people.push(lena.clone());
        }
        let tz = ORGS[*org].4.parse().unwrap_or(chrono_tz::UTC);
        let plan = crate::compliance::demo::Plan { frameworks, progress: *progress, seed: 2026 + n as u64 };
        crate::compliance::demo::seed_org(conn, index, &org_ids[*org], &plan, &people, tz, now)?;
    }
    Ok(())
}

fn report() -> String {
    let mut out = String::from("Demo ready: Northwind Managed IT (MSP) with 4 clients at tiers T1-T3.\n\n");
    let _ = writeln!(out, "Every account's password: {DEMO_PASSWORD}\n");
    let _ = writeln!(out, "{:<34} {:<22} organization", "email", "role");
    for p in PEOPLE {
        let _ = writeln!(out, "{:<34} {:<22} {}", p.email, p.role.label(), ORGS[p.org].0);
    }
    out.push_str("\nmorgan@northwind.example is also the installation's super admin.\n");
    out.push_str("Tom (technician), Lena (compliance admin) and Sam (read only) reach only their assigned clients.\n");
    out.push_str(
        "Every organization has a compliance program under way (Compliance -> Dashboard) with 90 days of history.\n",
    );
    out
}

/// What `palisade demo --clients N` seeds (tickets, time and articles are the service desk's and billing's). Its
/// fields but `clients` are the command's options (their comments its help).
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub struct Scale {
    /// Given by --clients (which chooses the load demo over the small one).
    #[arg(skip)]
    pub clients: usize,
    /// With --clients: how many users in all.
    #[arg(long, default_value_t = 5000)]
    pub users: usize,
    /// With --clients: how many tickets in all (with replies and notes; 1,500 of them unresolved).
    #[arg(long, default_value_t = 0)]
    pub tickets: usize,
    /// With --clients: billable time entries this month for the first client (and two years of invoices for the
    /// first 100 clients).
    #[arg(long, default_value_t = 0)]
    pub time_entries: usize,
    /// With --clients: how many published knowledge-base articles in all (3 in 5 MSP-wide; 5,000 readable in
    /// "Client 00001" when there are that many).
    #[arg(long, default_value_t = 0)]
    pub articles: usize,
    /// With --clients: how many assets in all (20,000 of them in "Client 00001" when there are that many).
    #[arg(long, default_value_t = 0)]
    pub assets: usize,
    /// With --clients: how many risks in the register of "Client 00001".
    #[arg(long, default_value_t = 0)]
    pub risks: usize,
    /// With --clients: people in "Client 00001" and a running acknowledgment campaign to all of them (the report
    /// says how long starting it took, every email queued).
    #[arg(long, default_value_t = 0)]
    pub campaign_people: usize,
    /// With --clients: portal end users (portal0@load.test, ...), dealt round the clients, each a contact with a
    /// portal account; a client's first sees the company's tickets (the portal's load run, docs/chat_load.sh).
    #[arg(long, default_value_t = 0)]
    pub portal_users: usize,
}

/// `palisade demo --clients N --users M`: a large installation for load measurements (docs/PERFORMANCE.md):
/// one MSP with N clients spread over the tiers, M users (MSP staff, technicians each assigned to a slice of
/// the clients, and client members in every role), and a few activity entries per client.
pub fn seed_scale(db: &Db, scale: &Scale) -> Result<String, String> {
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    write_transaction(&mut conn, |conn| seed_scale_in(conn, scale)).map_err(|e: AppError| e.to_string())
}

const CLIENT_ROLES: [Role; 6] =
    [Role::Admin, Role::ComplianceOfficer, Role::Employee, Role::Employee, Role::ReadOnly, Role::PortalUser];

fn seed_scale_in(conn: &mut DbConnection, scale: &Scale) -> Result<String, AppError> {
    let Scale { clients, users, tickets, time_entries, articles, assets, risks, campaign_people, portal_users } =
        *scale;
    if settings::get(conn, settings::ONBOARDED_AT)?.is_some() {
        return Err(AppError::BadRequest(
            "the load demo needs an empty database (use a fresh PALISADE_DATA_DIR)".into(),
        ));
    }
    let now = Clock::system().now();
    let actor = Actor::system("palisade demo", now);
    let msp = insert_org(conn, OrgKind::Msp, "Load Test MSP", "load-test-msp", now)?;
    let hash = hash_password(DEMO_PASSWORD);
    let admin = users::insert(conn, "admin@load.test", "Load Admin", &hash, true, now)?;
    models::insert_membership(conn, &msp, &admin, Role::Admin, now)?;
    let technicians = (users / 100).max(1);
    let mut tech_ids = Vec::new();
    for t in 0..technicians {
        let id = users::insert(conn, &format!("tech{t}@load.test"), &format!("Technician {t}"), &hash, false, now)?;
        models::insert_membership(conn, &msp, &id, Role::MspTechnician, now)?;
        tech_ids.push(id);
    }
    let mut client_ids = Vec::with_capacity(clients);
    for c in 0..clients {
        let id = insert_org(conn, OrgKind::Client, &format!("Client {c:05}"), &format!("client-{c:05}"), now)?;
        models::link_client(conn, &msp, &id, Tier::ALL[c % 3])?;
        client_ids.push(id);
    }
    for (t, tech) in tech_ids.iter().enumerate() {
        for client in client_ids.iter().skip(t).step_by(technicians) {
            models::set_assignments(conn, client, std::slice::from_ref(tech), now)?;
        }
    }
    let members = users.saturating_sub(1 + technicians);
    for u in 0..members {
        let client = &client_ids[u % clients.max(1)];
        let id = users::insert(conn, &format!("user{u}@load.test"), &format!("Member {u}"), &hash, false, now)?;
        models::insert_membership(conn, client, &id, CLIENT_ROLES[u % CLIENT_ROLES.len()], now)?;
    }
    let programs = seed_load_programs(conn, &client_ids, now)?;
    for (c, client) in client_ids.iter().enumerate() {
        for n in 0..3 {
            let target = Target::new("organization", client, "").details(format!("load entry {n}"));
            let action = if c % 2 == 0 { Action::ClientUpdated } else { Action::MemberJoined };
            audit::record(conn, &actor, Some(client), action, target)?;
        }
    }
    let tickets = crate::psa::demo::seed_scale(conn, &msp, &client_ids, tickets, now)?;
    let campaign = match client_ids.get(1) {
        Some(client) => {
            crate::compliance::campaigns::demo::seed_scale(conn, client, &admin, &tech_ids[0], campaign_people, now)?
        }
        None => String::new(),
    };
    let people: Vec<UserId> = std::iter::once(admin).chain(tech_ids).collect();
    let time_entries = crate::billing::demo::seed_scale(conn, &msp, &client_ids, &people, time_entries, now)?;
    let articles = crate::psa::kb::demo::seed_scale(conn, &msp, &client_ids, articles, now)?;
    let assets = crate::psa::assets::demo::seed_scale(conn, &client_ids, assets, now)?;
    let risks = crate::compliance::risks::demo::seed_scale(conn, &client_ids, risks, now)?;
    let portal_users = crate::portal::demo::seed_scale(conn, &client_ids, portal_users, &hash, now)?;
    settings::set(conn, settings::ONBOARDED_AT, &now.to_string(), now)?;
    settings::set(conn, settings::INSTALLATION_MODE, OrgKind::Msp.id(), now)?;
    // Fresh planner statistics after a bulk load, as a database in use would have.
    diesel::sql_query("ANALYZE").execute(conn)?;
    Ok(format!(
        "Load demo ready: 1 MSP, {clients} clients, {} users ({technicians} technicians), {programs} organization \
         controls in the clients' compliance programs, {tickets} tickets, {time_entries} time entries for Client 00000 \
         this month, {articles} knowledge-base articles, {assets} assets, {risks} risks, {portal_users} portal end \
         users.{campaign} Sign in as admin@load.test / {DEMO_PASSWORD}.",
        1 + technicians + members
    ))
}

/// The frameworks every load client adopts: together they need every common control (about 200 per client).
const LOAD_FRAMEWORKS: &[&str] = &["hipaa", "soc2", "nist-csf-2", "iso27001-2022", "pci-dss-4", "cmmc-2", "gdpr"];

/// A compliance program in every load client, at progress from 10% to 90%; returns the organization controls
/// created.
fn seed_load_programs(
    conn: &mut DbConnection,
    clients: &[OrgId],
    now: chrono::NaiveDateTime,
) -> Result<usize, AppError> {
    let index = crate::compliance::program::index::embedded()?;
    let mut controls = 0;
    for (c, client) in clients.iter().enumerate() {
        let plan = crate::compliance::demo::Plan {
            frameworks: LOAD_FRAMEWORKS,
            progress: 0.1 + 0.8 * ((c * 37) % 100) as f64 / 100.0,
            seed: c as u64,
        };
        controls +=
            crate::compliance::demo::seed_org(conn, index, client, &plan, &[], chrono_tz::America::Chicago, now)?;
    }
    Ok(controls)
}

fn insert_org(
    conn: &mut DbConnection,
    kind: OrgKind,
    name: &str,
    slug: &str,
    now: chrono::NaiveDateTime,
) -> diesel::QueryResult<OrgId> {
    let new = models::NewOrg {
        kind,
        name,
        slug,
        timezone: "America/Chicago",
        contact_email: "",
        seat_limit: models::DEFAULT_SEAT_LIMIT,
    };
    models::insert_org(conn, &new, now)
}
