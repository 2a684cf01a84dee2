//! Administration -> Organizations (super admins only): every organization, create any kind, mark as MSP,
//! archive and restore (soft: data kept), seats, and its members.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::permissions::{Role, Tier};
use crate::auth::{SuperAdmin, session};
use crate::db::ids::OrgId;
use crate::db::{DbConnection, MultiBackend, lower};
use crate::error::{AppError, AppResult};
use crate::orgs::members::{self, InvitationRow, MemberChange, MemberRow};
use crate::orgs::models::{self, OrgKind, Organization};
use crate::orgs::onboarding::unique_slug;
use crate::orgs::team::{self, InviteForm, RoleForm};
use crate::schema::organizations;
use crate::web::forms::{self, FieldErrors, TIMEZONES};
use crate::web::pagination::{Pager, query_string};
use crate::web::{PageContext, PageInput};
use crate::web::{redirect, render, render_status};

#[derive(Deserialize)]
pub struct OrgsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: Option<String>,
}

pub struct OrgRow {
    pub org: Organization,
    pub msp_name: String,
    pub members: i64,
}

#[derive(Template)]
#[template(path = "orgs/admin_list.html")]
struct OrgsPage {
    page: PageContext,
    rows: Vec<OrgRow>,
    pager: Pager,
    search: String,
    kind: String,
    status: String,
}

type OrgFilter = Box<dyn BoxableExpression<organizations::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

fn org_filter(search: &str, kind: Option<OrgKind>, status: &str) -> OrgFilter {
    let mut filter: OrgFilter = Box::new(organizations::id.ne(""));
    if !search.is_empty() {
        let pattern = crate::web::pagination::contains_pattern(search);
        filter = Box::new(
            filter.and(
                lower(organizations::name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(organizations::slug.like(pattern).escape('\\')),
            ),
        );
    }
    if let Some(kind) = kind {
        filter = Box::new(filter.and(organizations::kind.eq(kind)));
    }
    match status {
        "archived" => Box::new(filter.and(organizations::archived_at.is_not_null())),
        "all" => filter,
        _ => Box::new(filter.and(organizations::archived_at.is_null())),
    }
}

pub async fn list(
    state: web::Data<AppState>,
    input: PageInput,
    query: web::Query<OrgsQuery>,
) -> AppResult<HttpResponse> {
    let search: String = query.q.trim().chars().take(100).collect();
    let kind = OrgKind::parse(&query.kind);
    let status = if matches!(query.status.as_str(), "archived" | "all") { query.status.clone() } else { String::new() };
    let page_number = crate::web::pagination::ListQuery { page: query.page.clone(), q: None }.page();
    let base_query = query_string(&[("q", &search), ("kind", kind.map(|k| k.id()).unwrap_or("")), ("status", &status)]);
    let (term, status_filter) = (search.clone(), status.clone());
    let (page, rows, pager) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let total =
                organizations::table.filter(org_filter(&term, kind, &status_filter)).count().get_result(conn)?;
            let pager = Pager::new(page_number, total, base_query);
            let orgs: Vec<Organization> = organizations::table
                .filter(org_filter(&term, kind, &status_filter))
                .order((organizations::name.asc(), organizations::id.asc()))
                .limit(pager.per_page)
                .offset(pager.offset())
                .select(Organization::as_select())
                .load(conn)?;
            Ok((page, with_details(conn, orgs)?, pager))
        })
        .await?;
    render(OrgsPage { page, rows, pager, search, kind: query.kind.clone(), status })
}

/// MSP names and member counts for a page of organizations: two queries.
fn with_details(conn: &mut DbConnection, orgs: Vec<Organization>) -> QueryResult<Vec<OrgRow>> {
    let ids: Vec<OrgId> = orgs.iter().map(|o| o.id.clone()).collect();
    let counts = crate::orgs::clients::member_counts(conn, ids)?;
    let msp_ids: Vec<OrgId> = orgs.iter().filter_map(|o| o.msp_org_id.clone()).collect();
    let msp_names: Vec<(OrgId, String)> = organizations::table
        .filter(organizations::id.eq_any(msp_ids))
        .select((organizations::id, organizations::name))
        .load(conn)?;
    let msp_name = |org: &Organization| {
        let msp = org.msp_org_id.as_deref()?;
        msp_names.iter().find(|(id, _)| id == msp).map(|(_, name)| name.clone())
    };
    Ok(orgs
        .into_iter()
        .map(|org| OrgRow {
            members: counts.get(&org.id).copied().unwrap_or(0),
            msp_name: msp_name(&org).unwrap_or_default(),
            org,
        })
        .collect())
}

#[derive(Deserialize, Default, Clone)]
pub struct NewOrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    seat_limit: String,
    #[serde(default)]
    msp_org_id: String,
    #[serde(default)]
    tier: String,
}

#[derive(Template)]
#[template(path = "orgs/admin_new.html")]
struct NewOrgPage {
    page: PageContext,
    form: NewOrgForm,
    errors: FieldErrors,
    timezones: &'static [&'static str],
    msps: Vec<(String, String)>,
    tiers: Vec<(&'static str, String)>,
}

fn msp_choices(conn: &mut DbConnection) -> QueryResult<Vec<(OrgId, String)>> {
    organizations::table
        .filter(organizations::kind.eq(OrgKind::Msp))
        .filter(organizations::archived_at.is_null())
        .order(organizations::name.asc())
        .select((organizations::id, organizations::name))
        .load(conn)
}

async fn new_org_page(
    state: &AppState,
    input: PageInput,
    form: NewOrgForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (page, msps) = state.db.run(move |conn| Ok((input.load(conn)?, msp_choices(conn)?))).await?;
    let msps = msps.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
    let status = crate::web::form_status(&errors);
    let tiers = Tier::ALL.into_iter().map(|t| (t.code(), t.label())).collect();
    render_status(status, NewOrgPage { page, form, errors, timezones: TIMEZONES, msps, tiers })
}

pub async fn new_form(state: web::Data<AppState>, input: PageInput) -> AppResult<HttpResponse> {
    let form = NewOrgForm {
        kind: OrgKind::Client.id().into(),
        timezone: "America/New_York".into(),
        seat_limit: models::DEFAULT_SEAT_LIMIT.to_string(),
        tier: Tier::Operate.code().into(),
        ..Default::default()
    };
    new_org_page(&state, input, form, FieldErrors::default()).await
}

struct NewOrg {
    name: String,
    slug: String,
    kind: OrgKind,
    timezone: String,
    contact_email: String,
    seat_limit: i32,
    msp: Option<(OrgId, Tier)>,
}

fn validate_org(conn: &mut DbConnection, form: &NewOrgForm) -> QueryResult<Result<NewOrg, FieldErrors>> {
    let mut errors = FieldErrors::default();
    let name = forms::required(&mut errors, "name", &form.name, "Name", 120);
    let slug = models::new_org_slug(conn, &mut errors, &form.slug, &name)?;
    let kind = OrgKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Choose MSP, Client or Solo.");
    }
    let timezone = forms::timezone(&mut errors, "timezone", &form.timezone);
    let contact_email = if form.contact_email.trim().is_empty() {
        String::new()
    } else {
        forms::email(&mut errors, "contact_email", &form.contact_email)
    };
    let seat_limit = parse_seats(&mut errors, &form.seat_limit);
    let msp = if kind == Some(OrgKind::Client) && !form.msp_org_id.is_empty() {
        let msp = msp_choices(conn)?.into_iter().find(|(id, _)| *id == form.msp_org_id.as_str());
        match (msp, Tier::parse(&form.tier)) {
            (Some((msp_id, _)), Some(tier)) => Some((msp_id, tier)),
            (None, _) => {
                errors.add("msp_org_id", "Choose an active MSP, or none.");
                None
            }
            (Some(_), None) => {
                errors.add("tier", "Choose a tier.");
                None
            }
        }
    } else {
        None
    };
    Ok(match kind {
        Some(kind) if errors.is_empty() => Ok(NewOrg { name, slug, kind, timezone, contact_email, seat_limit, msp }),
        _ => Err(errors),
    })
}

fn parse_seats(errors: &mut FieldErrors, text: &str) -> i32 {
    match text.trim().parse::<i32>() {
        Ok(n) if (1..=100_000).contains(&n) => n,
        _ => {
            errors.add("seat_limit", "Seats must be a whole number from 1 to 100000.");
            0
        }
    }
}

pub async fn create(
    state: web::Data<AppState>,
    _admin: SuperAdmin,
    input: PageInput,
    actor: Actor,
    session: Session,
    form: web::Form<NewOrgForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let submitted = form.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let new = match validate_org(conn, &submitted)? {
                Ok(new) => new,
                Err(errors) => return Ok(Err(errors)),
            };
            let slug = unique_slug(conn, &new.slug)?;
            let row = models::NewOrg {
                kind: new.kind,
                name: &new.name,
                slug: &slug,
                timezone: &new.timezone,
                contact_email: &new.contact_email,
                seat_limit: new.seat_limit,
            };
            let id = models::insert_org(conn, &row, actor.at)?;
            let target = Target::new("organization", &id, &new.name).details(format!("kind {}", new.kind.id()));
            audit::record(conn, &actor, Some(&id), Action::OrganizationCreated, target.clone())?;
            if let Some((msp_id, tier)) = &new.msp {
                models::link_client(conn, msp_id, &id, *tier)?;
                // The MSP's own log shows the client it now manages, as when the MSP adds one itself.
                let details = format!("tier {}", tier.code());
                audit::record(conn, &actor, Some(msp_id), Action::ClientCreated, target.details(details))?;
            }
            Ok(Ok(id))
        })
        .await?;
    match outcome {
        Ok(id) => {
            session::flash_ok(&session, "The organization is created. Invite its first admin below.");
            Ok(redirect(&format!("/admin/orgs/{id}")))
        }
        Err(errors) => new_org_page(&state, input, form, errors).await,
    }
}

#[derive(Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "orgs/admin_detail.html")]
struct OrgDetailPage {
    page: PageContext,
    org: Organization,
    msp_name: String,
    members: Vec<MemberRow>,
    pager: Pager,
    invitations: Vec<InvitationRow>,
    seats_used: i64,
    roles: Vec<(&'static str, &'static str)>,
    can_make_msp: bool,
    form: DetailForms,
}

/// The values of the page's small forms (invite, seats) and their errors, kept when they come back.
#[derive(Default)]
struct DetailForms {
    invite_email: String,
    invite_role: String,
    seat_limit: Option<String>,
    errors: FieldErrors,
}

impl OrgDetailPage {
    fn seat_value(&self) -> String {
        self.form.seat_limit.clone().unwrap_or_else(|| self.org.seat_limit.to_string())
    }
}

pub async fn detail(
    state: web::Data<AppState>,
    admin: SuperAdmin,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<DetailQuery>,
) -> AppResult<HttpResponse> {
    let page_number = crate::web::pagination::ListQuery { page: query.page.clone(), q: None }.page();
    render_detail(&state, admin, input, path.into_inner(), page_number, DetailForms::default()).await
}

async fn render_detail(
    state: &AppState,
    admin: SuperAdmin,
    input: PageInput,
    org_id: String,
    page_number: i64,
    form: DetailForms,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let (page, org, msp_name, members, pager, invitations, seats_used) = state
        .db
        .run(move |conn| {
            let org = admin.org(conn, &org_id)?;
            let msp_name = with_details(conn, vec![org.clone()])?.pop().map(|r| r.msp_name).unwrap_or_default();
            let pager = Pager::new(page_number, members::count_members(conn, &org.id, "")?, String::new());
            let members = members::list_members(conn, &org.id, "", pager.per_page, pager.offset())?;
            let invitations = members::open_invitations(conn, &org.id, now)?;
            let seats = models::seats_used(conn, &org.id)?;
            Ok((input.load(conn)?, org, msp_name, members, pager, invitations, seats))
        })
        .await?;
    let can_make_msp = org.kind() != OrgKind::Msp && msp_name.is_empty();
    let roles = members::role_choices(org.kind());
    let status = crate::web::form_status(&form.errors);
    let page =
        OrgDetailPage { page, org, msp_name, members, pager, invitations, seats_used, roles, can_make_msp, form };
    render_status(status, page)
}

/// Runs a change on one organization by id (404 when it does not exist) and flashes its outcome.
async fn change_org<F>(
    state: &AppState,
    admin: SuperAdmin,
    session: &Session,
    org_id: String,
    change: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection, &Organization) -> Result<Result<String, String>, AppError> + Send + 'static,
{
    let target = format!("/admin/orgs/{org_id}");
    let outcome = state
        .db
        .write(move |conn| {
            let org = admin.org(conn, &org_id)?;
            change(conn, &org)
        })
        .await?;
    session::flash_outcome(session, outcome);
    Ok(redirect(&target))
}

pub async fn make_msp(
    state: web::Data<AppState>,
    admin: SuperAdmin,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    change_org(&state, admin, &session, path.into_inner(), move |conn, org| {
        let is_client_of_msp = org.msp_org_id.is_some();
        if org.kind() == OrgKind::Msp {
            return Ok(Err(format!("{} is already an MSP.", org.name)));
        }
        if is_client_of_msp {
            return Ok(Err(format!("{} is managed by an MSP; a managed client cannot itself be an MSP.", org.name)));
        }
        if models::has_active_role(conn, &org.id, Role::PortalUser)? {
            return Ok(Err(format!(
                "{} has end users, a role an MSP cannot have. Change or deactivate them first.",
                org.name
            )));
        }
        diesel::update(organizations::table.find(&org.id))
            .set((organizations::kind.eq(OrgKind::Msp), organizations::updated_at.eq(actor.at)))
            .execute(conn)?;
        let target = Target::new("organization", &org.id, &org.name);
        audit::record(conn, &actor, Some(&org.id), Action::OrganizationMadeMsp, target)?;
        Ok(Ok(format!("{} is now an MSP: it can add and manage clients.", org.name)))
    })
    .await
}

pub async fn archive(
    state: web::Data<AppState>,
    admin: SuperAdmin,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    archive_org(state, admin, actor, session, path.into_inner(), true).await
}

pub async fn restore(
    state: web::Data<AppState>,
    admin: SuperAdmin,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    archive_org(state, admin, actor, session, path.into_inner(), false).await
}

async fn archive_org(
    state: web::Data<AppState>,
    admin: SuperAdmin,
    actor: Actor,
    session: Session,
    org_id: String,
    archived: bool,
) -> AppResult<HttpResponse> {
    change_org(&state, admin, &session, org_id, move |conn, org| {
        if org.is_archived() == archived {
            return Ok(Err(format!("{} is already {}.", org.name, if archived { "archived" } else { "active" })));
        }
        models::set_archived(conn, &org.id, archived, actor.at)?;
        let action = if archived { Action::OrganizationArchived } else { Action::OrganizationRestored };
        audit::record(conn, &actor, Some(&org.id), action, Target::new("organization", &org.id, &org.name))?;
        Ok(Ok(format!("{} is {}.", org.name, if archived { "archived (its data is kept)" } else { "restored" })))
    })
    .await
}

#[derive(Deserialize)]
pub struct SeatsForm {
    #[serde(default)]
    seat_limit: String,
}

pub async fn set_seats(
    state: web::Data<AppState>,
    admin: SuperAdmin,
    input: PageInput,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<SeatsForm>,
) -> AppResult<HttpResponse> {
    let text = form.into_inner().seat_limit;
    let mut errors = FieldErrors::default();
    let seats = parse_seats(&mut errors, &text);
    if !errors.is_empty() {
        let form = DetailForms { seat_limit: Some(text), errors, ..Default::default() };
        return render_detail(&state, admin, input, path.into_inner(), 1, form).await;
    }
    change_org(&state, admin, &session, path.into_inner(), move |conn, org| {
        diesel::update(organizations::table.find(&org.id)).set(organizations::seat_limit.eq(seats)).execute(conn)?;
        let target =
            Target::new("organization", &org.id, &org.name).details(format!("{} -> {seats} seats", org.seat_limit));
        audit::record(conn, &actor, Some(&org.id), Action::SeatsChanged, target)?;
        Ok(Ok(format!("{} now has {seats} seats.", org.name)))
    })
    .await
}

pub async fn invite(
    state: web::Data<AppState>,
    admin: SuperAdmin,
    input: PageInput,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<InviteForm>,
) -> AppResult<HttpResponse> {
    let org_id = lookup(&state, &admin, path.into_inner()).await?;
    match team::invite_to(&state, &actor, &org_id, &form).await? {
        Ok(message) => {
            session::flash_ok(&session, message);
            Ok(redirect(&format!("/admin/orgs/{org_id}")))
        }
        Err(errors) => {
            let form = form.into_inner();
            let kept = DetailForms { invite_email: form.email, invite_role: form.role, seat_limit: None, errors };
            render_detail(&state, admin, input, org_id.to_string(), 1, kept).await
        }
    }
}

/// The organization a super admin's URL names (404 when there is none).
async fn lookup(state: &AppState, admin: &SuperAdmin, org_id: String) -> AppResult<OrgId> {
    let admin = admin.clone();
    state.db.run(move |conn| Ok(admin.org(conn, &org_id)?.id)).await
}

pub async fn change_role(
    state: web::Data<AppState>,
    admin: SuperAdmin,
    actor: Actor,
    session: Session,
    path: web::Path<(String, String)>,
    form: web::Form<RoleForm>,
) -> AppResult<HttpResponse> {
    let (org_id, member_id) = path.into_inner();
    let org_id = lookup(&state, &admin, org_id).await?;
    team::apply_change(&state, actor, &session, &org_id, member_id, team::role_change(&form.role)).await?;
    Ok(redirect(&format!("/admin/orgs/{org_id}")))
}

pub async fn deactivate(
    state: web::Data<AppState>,
    admin: SuperAdmin,
    actor: Actor,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (org_id, member_id) = path.into_inner();
    let org_id = lookup(&state, &admin, org_id).await?;
    team::apply_change(&state, actor, &session, &org_id, member_id, Ok(MemberChange::Deactivate)).await?;
    Ok(redirect(&format!("/admin/orgs/{org_id}")))
}

pub async fn reactivate(
    state: web::Data<AppState>,
    admin: SuperAdmin,
    actor: Actor,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (org_id, member_id) = path.into_inner();
    let org_id = lookup(&state, &admin, org_id).await?;
    team::apply_change(&state, actor, &session, &org_id, member_id, Ok(MemberChange::Reactivate)).await?;
    Ok(redirect(&format!("/admin/orgs/{org_id}")))
}
