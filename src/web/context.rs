//! The page context every staff page embeds: who is signed in, the organization being worked in (banner),
//! the sidebar nav and client switcher, the flash message and the form tokens.

use std::future::{Ready, ready};

use actix_session::SessionExt;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};
use diesel::QueryResult;

use crate::auth::scope::Identity;
use crate::auth::session::{self, Flash};
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::error::AppError;
use crate::orgs::OrgKind;
use crate::orgs::reach::switcher_head;
use crate::web::guard::ActingOrg;
use crate::web::routes::get_access_for;

/// Entries of the sidebar switcher before "show all".
const SWITCHER_CLIENTS: i64 = 8;

/// Sidebar nav: (group, label, path). Who sees an item comes from the route table's access for that path.
const NAV: &[(&str, &str, &str)] = &[
    ("MSP", "Dashboard", "/msp/dashboard"),
    ("MSP", "Clients", "/msp/clients"),
    ("MSP", "All tickets", "/msp/tickets"),
    ("MSP", "Live chat", "/chat"),
    ("MSP", "Billing", "/billing/invoices"),
    ("MSP", "Inbound email", "/msp/inbound"),
    ("Workspace", "Overview", "/overview"),
    ("Workspace", "My policies", "/my/policies"),
    ("Service desk", "Tickets", "/tickets"),
    ("Service desk", "Contacts", "/contacts"),
    ("Service desk", "Assets", "/assets"),
    ("Service desk", "Knowledge base", "/kb"),
    ("Service desk", "Recurring tickets", "/tickets/recurring"),
    ("Service desk", "SLA report", "/reports/sla"),
    ("Service desk", "Timesheet", "/time"),
    ("Compliance", "Dashboard", "/compliance"),
    ("Compliance", "Frameworks", "/compliance/frameworks"),
    ("Compliance", "Controls", "/compliance/controls"),
    ("Compliance", "Evidence", "/compliance/evidence"),
    ("Compliance", "Policies", "/compliance/policies"),
    ("Compliance", "People", "/compliance/people"),
    ("Compliance", "Campaigns", "/compliance/campaigns"),
    ("Compliance", "Risks", "/compliance/risks"),
    ("Compliance", "Catalog", "/compliance/catalog"),
    ("Compliance", "Crosswalk", "/compliance/crosswalk"),
    ("Settings", "Team Members", "/settings/team"),
    ("Settings", "Roles", "/settings/roles"),
    ("Settings", "Service desk", "/settings/service-desk"),
    ("Settings", "Portal", "/settings/portal"),
    ("Settings", "Portal users", "/settings/portal/users"),
    ("Settings", "Activity log", "/settings/activity"),
    ("Administration", "Organizations", "/admin/orgs"),
    ("Administration", "Email", "/admin/mail"),
    ("Administration", "Scheduled jobs", "/admin/jobs"),
];

/// What the extractor collects from the request; `load` adds what needs the database.
pub struct PageInput {
    identity: Identity,
    /// The organization the page's forms are for (the MSP on MSP pages, else the current organization).
    form_org: String,
    csrf: String,
    flash: Option<Flash>,
    path: String,
}

impl FromRequest for PageInput {
    type Error = AppError;
    type Future = Ready<Result<PageInput, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(identity) = req.extensions().get::<Identity>().cloned() else {
            return ready(Err(AppError::SignInRequired));
        };
        let session = req.get_session();
        let form_org = match req.extensions().get::<ActingOrg>() {
            Some(ActingOrg(org)) => org.to_string(),
            None => identity.org.as_ref().map(|o| o.id.to_string()).unwrap_or_default(),
        };
        ready(Ok(PageInput {
            identity,
            form_org,
            csrf: session::csrf_token(&session),
            flash: session::take_flash(&session),
            path: req.path().to_string(),
        }))
    }
}

#[derive(Clone, Debug)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

#[derive(Clone, Debug)]
pub struct NavGroup {
    pub title: &'static str,
    pub items: Vec<NavItem>,
}

#[derive(Clone, Debug)]
pub struct SwitchEntry {
    pub id: OrgId,
    pub name: String,
    pub slug: String,
    pub kind: &'static str,
    pub current: bool,
    /// Another entry has the same name: the slug tells them apart.
    pub show_slug: bool,
}

/// Marks the entries whose name another entry also has (ignoring case), so that the slug is shown beside it.
pub fn mark_same_names(entries: &mut [SwitchEntry]) {
    let names: Vec<String> = entries.iter().map(|e| e.name.to_lowercase()).collect();
    for (i, entry) in entries.iter_mut().enumerate() {
        entry.show_slug = names.iter().enumerate().any(|(j, name)| j != i && *name == names[i]);
    }
}

#[derive(Clone, Debug, Default)]
pub struct Switcher {
    /// The user's own organizations (the MSP first), then the first clients by name.
    pub entries: Vec<SwitchEntry>,
    /// How many clients are reachable in all (the switcher page lists and filters them).
    pub total_clients: i64,
}

impl Switcher {
    pub fn has_more(&self) -> bool {
        let shown_clients = self.entries.iter().filter(|e| e.kind == OrgKind::Client.label()).count() as i64;
        self.total_clients > shown_clients
    }
}

/// The banner naming the organization being worked in.
#[derive(Clone, Debug)]
pub struct Banner {
    pub name: String,
    pub kind: &'static str,
    pub access: String,
    pub is_msp: bool,
}

pub struct PageContext {
    pub user_name: String,
    pub user_email: String,
    pub is_super_admin: bool,
    pub banner: Option<Banner>,
    /// The organization forms are rendered for (empty when none).
    pub org_id: String,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub nav: Vec<NavGroup>,
    pub switcher: Switcher,
    pub path: String,
    /// The person's running timer, for the top bar.
    pub timer: Option<TimerBar>,
}

/// The running timer in the top bar: what it runs on, since when, and the MSP its stop form is for.
#[derive(Clone, Debug)]
pub struct TimerBar {
    pub label: String,
    pub href: String,
    /// "14:02" (or "2026-11-29 14:02" when it started on another day), in the organization's timezone.
    pub since: String,
    /// The MSP whose books the time goes into, when the person may stop it here (the stop form's organization).
    pub stop_org: Option<String>,
}

impl TimerBar {
    fn of(identity: &Identity) -> Option<TimerBar> {
        let timer = identity.timer.as_ref()?;
        let tz = identity.org.as_ref().map(|o| o.tz()).unwrap_or(chrono_tz::UTC);
        let started = crate::web::time::local(timer.started_at, tz);
        Some(TimerBar {
            label: timer.label.clone(),
            href: format!("/tickets/by-id/{}", timer.ticket_id),
            since: started,
            stop_org: identity
                .msp
                .as_ref()
                .filter(|m| m.perms.contains(crate::auth::Permission::LogTime))
                .map(|m| m.id.to_string()),
        })
    }
}

impl PageInput {
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Builds the page context: at most one statement (the switcher's first clients, with their count).
    pub fn load(self, conn: &mut DbConnection) -> QueryResult<PageContext> {
        let identity = &self.identity;
        let switcher = load_switcher(conn, identity)?;
        let banner = identity.org.as_ref().map(|o| Banner {
            name: o.name.clone(),
            kind: o.kind.label(),
            access: o.access_label(),
            is_msp: o.kind == OrgKind::Msp,
        });
        Ok(PageContext {
            user_name: identity.user.name.clone(),
            user_email: identity.user.email.clone(),
            is_super_admin: identity.user.is_super_admin,
            banner,
            org_id: self.form_org,
            csrf: self.csrf,
            flash: self.flash,
            nav: build_nav(identity, &self.path),
            switcher,
            path: self.path,
            timer: TimerBar::of(identity),
        })
    }
}

/// The nav entry a path belongs to: the longest nav path that is the path itself or a parent of it.
fn active_href(path: &str) -> Option<&'static str> {
    NAV.iter()
        .map(|(_, _, href)| *href)
        .filter(|href| path == *href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')))
        .max_by_key(|href| href.len())
}

fn build_nav(identity: &Identity, path: &str) -> Vec<NavGroup> {
    let active_href = active_href(path);
    let mut groups: Vec<NavGroup> = Vec::new();
    for (title, label, href) in NAV {
        let visible = get_access_for(href).is_some_and(|access| access.allows(Some(identity)));
        if !visible {
            continue;
        }
        let item = NavItem { label, href, active: active_href == Some(*href) };
        match groups.last_mut() {
            Some(group) if group.title == *title => group.items.push(item),
            _ => groups.push(NavGroup { title, items: vec![item] }),
        }
    }
    groups
}

fn load_switcher(conn: &mut DbConnection, identity: &Identity) -> QueryResult<Switcher> {
    let current = identity.org.as_ref().map(|o| o.id.as_str()).unwrap_or("");
    let mut entries: Vec<SwitchEntry> = identity
        .memberships
        .iter()
        .map(|m| SwitchEntry {
            id: m.org_id.clone(),
            name: m.org_name.clone(),
            slug: m.org_slug.clone(),
            kind: m.org_kind.label(),
            current: m.org_id == current,
            show_slug: false,
        })
        .collect();
    let head = switcher_head(conn, identity, SWITCHER_CLIENTS)?;
    for client in head.clients {
        if entries.iter().any(|e| e.id == client.id) {
            continue;
        }
        entries.push(SwitchEntry {
            current: client.id == current,
            id: client.id,
            name: client.name,
            slug: client.slug,
            kind: client.kind.label(),
            show_slug: false,
        });
    }
    if let Some(org) = &identity.org
        && !entries.iter().any(|e| e.current)
    {
        entries.push(SwitchEntry {
            id: org.id.clone(),
            name: org.name.clone(),
            slug: org.slug.clone(),
            kind: org.kind.label(),
            current: true,
            show_slug: false,
        });
    }
    mark_same_names(&mut entries);
    Ok(Switcher { entries, total_clients: head.total })
}

/// For pages outside the staff app (sign-in, onboarding, emailed-token pages): csrf token and flash only.
pub struct PublicPage {
    pub csrf: String,
    pub flash: Option<Flash>,
}

impl FromRequest for PublicPage {
    type Error = AppError;
    type Future = Ready<Result<PublicPage, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = req.get_session();
        ready(Ok(PublicPage { csrf: session::csrf_token(&session), flash: session::take_flash(&session) }))
    }
}
