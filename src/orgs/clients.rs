//! MSP -> Clients: the MSP's clients (searchable, paginated), adding a client (which creates its tenant), tiers,
//! staff assignments, archive and restore.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::permissions::{Permission, Role, Tier};
use crate::auth::{MspScope, session};
use crate::db::ids::{OrgId, UserId};
use crate::db::{DbConnection, MultiBackend, lower};
use crate::error::{AppError, AppResult};
use crate::orgs::client_page;
use crate::orgs::members::{InviteInput, IssuedInvitation};
use crate::orgs::models::{self, OrgKind, StaffMember};
use crate::orgs::onboarding::unique_slug;
use crate::schema::{memberships, organizations, technician_assignments};
use crate::web::forms::{self, FieldErrors, TIMEZONES};
use crate::web::pagination::{Pager, query_string};
use crate::web::{PageContext, PageInput};
use crate::web::{redirect, render, render_status};

/// The clients of the person's MSP that they may see: all of them for roles that reach every client,
/// otherwise the ones assigned to them. Cross-client views filter through this.
pub struct MspView {
    pub msp_org_id: OrgId,
    pub user_id: UserId,
    pub all_clients: bool,
}

type ClientFilter = Box<dyn BoxableExpression<organizations::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

impl MspView {
    pub fn of(scope: &MspScope) -> MspView {
        MspView {
            msp_org_id: scope.msp_id().clone(),
            user_id: scope.user.id.clone(),
            all_clients: scope.reaches_all_clients(),
        }
    }

    /// The MSP's clients this user sees, with the list filters applied.
    pub fn filter(&self, status: ClientStatus, search: &str) -> ClientFilter {
        let mut filter: ClientFilter =
            Box::new(organizations::msp_org_id.assume_not_null().eq(self.msp_org_id.clone()));
        if !self.all_clients {
            let assigned = technician_assignments::table
                .filter(technician_assignments::user_id.eq(self.user_id.clone()))
                .select(technician_assignments::org_id);
            filter = Box::new(filter.and(organizations::id.eq_any(assigned)));
        }
        filter = match status {
            ClientStatus::Active => Box::new(filter.and(organizations::archived_at.is_null())),
            ClientStatus::Archived => Box::new(filter.and(organizations::archived_at.is_not_null())),
            ClientStatus::All => filter,
        };
        if !search.is_empty() {
            let pattern = crate::web::pagination::contains_pattern(search);
            let matches = lower(organizations::name)
                .like(pattern.clone())
                .escape('\\')
                .or(organizations::slug.like(pattern).escape('\\'));
            filter = Box::new(filter.and(matches));
        }
        filter
    }

    /// The common list: every active client, no search, for a role that reaches them all. Its SQL is fixed (not
    /// boxed), so PostgreSQL prepares it once per connection.
    fn is_plain(&self, status: ClientStatus, search: &str) -> bool {
        self.all_clients && status == ClientStatus::Active && search.is_empty()
    }

    fn all_active(
        &self,
    ) -> diesel::dsl::Filter<
        diesel::dsl::Filter<organizations::table, diesel::dsl::Eq<organizations::msp_org_id, OrgId>>,
        diesel::dsl::IsNull<organizations::archived_at>,
    > {
        organizations::table
            .filter(organizations::msp_org_id.eq(self.msp_org_id.clone()))
            .filter(organizations::archived_at.is_null())
    }

    /// One client of this MSP that the user sees (archived or not), or 404: ids from URLs go through here.
    pub fn client(&self, conn: &mut DbConnection, client_id: &str) -> Result<ClientRow, AppError> {
        let filter = self.filter(ClientStatus::All, "");
        let row: Option<ClientTuple> = organizations::table
            .filter(filter)
            .filter(organizations::id.eq(client_id))
            .select(CLIENT_COLUMNS)
            .first(conn)
            .optional()?;
        row.map(ClientRow::from).ok_or(AppError::NotFound)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ClientStatus {
    Active,
    Archived,
    All,
}

impl ClientStatus {
    fn parse(text: &str) -> ClientStatus {
        match text {
            "archived" => ClientStatus::Archived,
            "all" => ClientStatus::All,
            _ => ClientStatus::Active,
        }
    }
}

pub type ClientTuple =
    (OrgId, String, String, String, String, Option<NaiveDateTime>, NaiveDateTime, NaiveDateTime, Option<Tier>);

pub const CLIENT_COLUMNS: (
    organizations::id,
    organizations::name,
    organizations::slug,
    organizations::timezone,
    organizations::contact_email,
    organizations::archived_at,
    organizations::last_activity_at,
    organizations::created_at,
    organizations::tier,
) = (
    organizations::id,
    organizations::name,
    organizations::slug,
    organizations::timezone,
    organizations::contact_email,
    organizations::archived_at,
    organizations::last_activity_at,
    organizations::created_at,
    organizations::tier,
);

#[derive(Clone, Debug)]
pub struct ClientRow {
    pub id: OrgId,
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub contact_email: String,
    pub archived: bool,
    pub last_activity_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub tier: Tier,
    pub members: i64,
    /// When the row was read (the request's time), for "5 minutes ago".
    pub as_of: NaiveDateTime,
}

impl From<ClientTuple> for ClientRow {
    fn from(t: ClientTuple) -> ClientRow {
        let (id, name, slug, timezone, contact_email, archived_at, last_activity_at, created_at, tier) = t;
        ClientRow {
            id,
            name,
            slug,
            timezone,
            contact_email,
            archived: archived_at.is_some(),
            last_activity_at,
            created_at,
            // A client of an MSP always has a tier (a CHECK constraint says so); Monitor is only the
            // type's default for a row that cannot occur.
            tier: tier.unwrap_or(Tier::Monitor),
            members: 0,
            as_of: created_at,
        }
    }
}

impl ClientRow {
    pub fn created(&self) -> String {
        self.created_at.format("%Y-%m-%d").to_string()
    }
    pub fn last_activity(&self) -> String {
        crate::web::time::ago(self.last_activity_at, self.as_of)
    }
}

/// Active member counts for a page of clients: one grouped query.
pub fn member_counts(conn: &mut DbConnection, org_ids: Vec<OrgId>) -> QueryResult<HashMap<OrgId, i64>> {
    let rows: Vec<(OrgId, i64)> = memberships::table
        .filter(memberships::org_id.eq_any(org_ids))
        .filter(memberships::deactivated_at.is_null())
        .group_by(memberships::org_id)
        .select((memberships::org_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// How a page of clients is ordered.
#[derive(Clone, Copy, Debug)]
pub enum ClientOrder {
    Name,
    /// Most recently active first; clients with no activity last.
    LastActivity,
}

/// One page of clients with their active member counts: one statement whatever the number of clients.
pub fn load_clients(
    conn: &mut DbConnection,
    view: &MspView,
    status: ClientStatus,
    search: &str,
    order: ClientOrder,
    pager: &Pager,
    now: NaiveDateTime,
) -> QueryResult<Vec<ClientRow>> {
    let members = memberships::table
        .filter(memberships::org_id.eq(organizations::id))
        .filter(memberships::deactivated_at.is_null())
        .count()
        .single_value();
    // The same page query over either filter (the static one for the common list, else the boxed one).
    macro_rules! page {
        ($query:expr) => {{
            let query = $query.limit(pager.per_page).offset(pager.offset());
            match order {
                ClientOrder::Name => query
                    .order((organizations::name.asc(), organizations::id.asc()))
                    .select((CLIENT_COLUMNS, members))
                    .load(conn)?,
                ClientOrder::LastActivity => query
                    .order((organizations::last_activity_at.desc(), organizations::id.desc()))
                    .select((CLIENT_COLUMNS, members))
                    .load(conn)?,
            }
        }};
    }
    let rows: Vec<(ClientTuple, Option<i64>)> = if view.is_plain(status, search) {
        page!(view.all_active())
    } else {
        page!(organizations::table.filter(view.filter(status, search)))
    };
    Ok(rows
        .into_iter()
        .map(|(row, members)| ClientRow { members: members.unwrap_or(0), as_of: now, ..ClientRow::from(row) })
        .collect())
}

pub fn count_clients(conn: &mut DbConnection, view: &MspView, status: ClientStatus, search: &str) -> QueryResult<i64> {
    if view.is_plain(status, search) {
        return view.all_active().count().get_result(conn);
    }
    organizations::table.filter(view.filter(status, search)).count().get_result(conn)
}

/// One page of clients by name, with the pager: two statements.
pub fn client_page(
    conn: &mut DbConnection,
    view: &MspView,
    status: ClientStatus,
    search: &str,
    page: i64,
    base_query: String,
    now: NaiveDateTime,
) -> QueryResult<(Vec<ClientRow>, Pager)> {
    let pager = Pager::new(page, count_clients(conn, view, status, search)?, base_query);
    let clients = load_clients(conn, view, status, search, ClientOrder::Name, &pager, now)?;
    Ok((clients, pager))
}

#[derive(Deserialize)]
pub struct ClientsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "orgs/clients.html")]
struct ClientsPage {
    page: PageContext,
    clients: Vec<ClientRow>,
    pager: Pager,
    search: String,
    status: String,
    can_manage: bool,
}

pub async fn list(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    query: web::Query<ClientsQuery>,
) -> AppResult<HttpResponse> {
    let search: String = query.q.trim().chars().take(100).collect();
    let status_text = match ClientStatus::parse(&query.status) {
        ClientStatus::Active => "active",
        ClientStatus::Archived => "archived",
        ClientStatus::All => "all",
    };
    let page_number = crate::web::pagination::ListQuery { page: query.page.clone(), q: None }.page();
    let view = MspView::of(&scope);
    let (status, term) = (ClientStatus::parse(&query.status), search.clone());
    let base_query =
        query_string(&[("q", &search), ("status", if status_text == "active" { "" } else { status_text })]);
    let now = state.clock.now();
    let (page, (clients, pager)) = state
        .db
        .run(move |conn| {
            Ok((input.load(conn)?, client_page(conn, &view, status, &term, page_number, base_query, now)?))
        })
        .await?;
    render(ClientsPage {
        page,
        clients,
        pager,
        search,
        status: status_text.to_string(),
        can_manage: scope.can(Permission::ManageClients),
    })
}

/// The add-client form's values, kept when it comes back with errors.
#[derive(Default, Clone)]
pub struct ClientForm {
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub tier: String,
    pub contact_email: String,
    pub staff: Vec<String>,
    /// Invite the contact email as the new client's first Admin.
    pub invite_admin: bool,
    /// A name confirmed although another client has it (see `client_page::check_same_name`).
    pub confirm_name: String,
}

impl ClientForm {
    fn from_pairs(pairs: &[(String, String)]) -> ClientForm {
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        ClientForm {
            name: get("name"),
            slug: get("slug"),
            timezone: get("timezone"),
            tier: get("tier"),
            contact_email: get("contact_email"),
            staff: pairs.iter().filter(|(k, _)| k == "staff").map(|(_, v)| v.clone()).collect(),
            invite_admin: get("invite_admin") == "1",
            confirm_name: get("confirm_name"),
        }
    }
}

#[derive(Template)]
#[template(path = "orgs/client_new.html")]
struct NewClientPage {
    page: PageContext,
    form: ClientForm,
    errors: FieldErrors,
    timezones: &'static [&'static str],
    tiers: Vec<(&'static str, String)>,
    staff: Vec<StaffMember>,
}

impl NewClientPage {
    fn assigned(&self, user_id: &str) -> bool {
        self.form.staff.iter().any(|s| s == user_id)
    }
}

pub fn tier_choices() -> Vec<(&'static str, String)> {
    Tier::ALL.into_iter().map(|t| (t.code(), format!("{} — {}", t.label(), t.description()))).collect()
}

/// Staff who can be assigned to clients: active MSP members whose role does not already reach every client.
fn assignable(staff: Vec<StaffMember>) -> Vec<StaffMember> {
    staff.into_iter().filter(|s| !s.role.reaches_all_clients()).collect()
}

/// The add-client form: blank (in the MSP's timezone, inviting a first Admin) or as submitted, with its errors.
async fn new_client_page(
    state: &AppState,
    scope: &MspScope,
    input: PageInput,
    submitted: Option<ClientForm>,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let msp_id = scope.msp_id().clone();
    let (page, staff, form) = state
        .db
        .run(move |conn| {
            let form = match submitted {
                Some(form) => form,
                None => ClientForm {
                    timezone: models::find_org(conn, &msp_id)?.map(|msp| msp.timezone).unwrap_or_default(),
                    tier: Tier::Operate.code().into(),
                    invite_admin: true,
                    ..Default::default()
                },
            };
            Ok((input.load(conn)?, models::active_staff(conn, &msp_id)?, form))
        })
        .await?;
    let status = crate::web::form_status(&errors);
    let page =
        NewClientPage { page, form, errors, timezones: TIMEZONES, tiers: tier_choices(), staff: assignable(staff) };
    render_status(status, page)
}

pub async fn new_form(state: web::Data<AppState>, scope: MspScope, input: PageInput) -> AppResult<HttpResponse> {
    new_client_page(&state, &scope, input, None, FieldErrors::default()).await
}

/// The validated new client.
struct NewClient {
    name: String,
    slug: String,
    timezone: String,
    tier: Tier,
    contact_email: String,
    staff: Vec<UserId>,
    invite_admin: bool,
}

/// The assignable staff of the MSP named in a form (ids from the form resolved against the MSP's staff), or
/// None when one is not.
fn chosen_staff(conn: &mut DbConnection, msp: &OrgId, chosen: &[String]) -> QueryResult<Option<Vec<UserId>>> {
    let staff = assignable(models::active_staff(conn, msp)?);
    let picked: Vec<UserId> =
        staff.iter().filter(|s| chosen.iter().any(|c| c == s.user_id.as_str())).map(|s| s.user_id.clone()).collect();
    let mut unique = chosen.to_vec();
    unique.sort();
    unique.dedup();
    Ok((picked.len() == unique.len()).then_some(picked))
}

fn validate_client(
    conn: &mut DbConnection,
    msp_org_id: &OrgId,
    form: &ClientForm,
) -> QueryResult<Result<NewClient, FieldErrors>> {
    let mut errors = FieldErrors::default();
    let name = forms::required(&mut errors, "name", &form.name, "Client name", 120);
    let slug = models::new_org_slug(conn, &mut errors, &form.slug, &name)?;
    let timezone = forms::timezone(&mut errors, "timezone", &form.timezone);
    let tier = Tier::parse(&form.tier);
    if tier.is_none() {
        errors.add("tier", "Choose a tier.");
    }
    let contact_email = client_page::optional_email(&mut errors, "contact_email", &form.contact_email);
    if form.invite_admin && contact_email.is_empty() && !errors.has("contact_email") {
        errors.add(
            "contact_email",
            "Enter the email of the person to invite as the first Admin, or untick the invitation.",
        );
    }
    client_page::check_same_name(conn, &mut errors, msp_org_id, &name, &form.confirm_name, None)?;
    let staff = chosen_staff(conn, msp_org_id, &form.staff)?;
    if staff.is_none() {
        errors.add("staff", "Only active staff of this MSP can be assigned.");
    }
    Ok(match (tier, staff) {
        (Some(tier), Some(staff)) if errors.is_empty() => {
            Ok(NewClient { name, slug, timezone, tier, contact_email, staff, invite_admin: form.invite_admin })
        }
        _ => Err(errors),
    })
}

pub async fn create(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    actor: Actor,
    session: Session,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let form = ClientForm::from_pairs(&form);
    let (msp_id, msp_name, submitted) = (scope.msp_id().clone(), scope.msp.name.clone(), form.clone());
    let base_url = state.config.base_url.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let client = match validate_client(conn, &msp_id, &submitted)? {
                Ok(client) => client,
                Err(errors) => return Ok(Err(errors)),
            };
            Ok(Ok(insert_client(conn, &actor, &msp_id, &msp_name, &client, &base_url)?))
        })
        .await?;
    match outcome {
        Ok((client_id, name, invited)) => {
            let mut message = format!("{name} is added. Switch to it in the sidebar to start working there.");
            if let Some(issued) = invited {
                message = format!("{message} Invitation sent to {} as {}.", issued.email, issued.role.label());
            }
            session::flash_ok(&session, message);
            Ok(redirect(&format!("/msp/clients/{client_id}")))
        }
        Err(errors) => new_client_page(&state, &scope, input, Some(form), errors).await,
    }
}

/// The new client's id and name, and its first Admin's invitation (its email queued in the same transaction).
type Inserted = (OrgId, String, Option<IssuedInvitation>);

fn insert_client(
    conn: &mut DbConnection,
    actor: &Actor,
    msp_id: &OrgId,
    msp_name: &str,
    c: &NewClient,
    base_url: &str,
) -> QueryResult<Inserted> {
    let slug = unique_slug(conn, &c.slug)?;
    let new = models::NewOrg {
        kind: OrgKind::Client,
        name: &c.name,
        slug: &slug,
        timezone: &c.timezone,
        contact_email: &c.contact_email,
        seat_limit: models::DEFAULT_SEAT_LIMIT,
    };
    let client_id = models::insert_org(conn, &new, actor.at)?;
    models::link_client(conn, msp_id, &client_id, c.tier)?;
    models::set_assignments(conn, &client_id, &c.staff, actor.at)?;
    let details = format!("tier {}, {} staff assigned", c.tier.code(), c.staff.len());
    audit::record(
        conn,
        actor,
        Some(msp_id),
        Action::ClientCreated,
        Target::new("organization", &client_id, &c.name).details(details.clone()),
    )?;
    let created_by = format!("created by {msp_name}; {details}");
    audit::record(
        conn,
        actor,
        Some(&client_id),
        Action::OrganizationCreated,
        Target::new("organization", &client_id, &c.name).details(created_by),
    )?;
    let invited = if c.invite_admin {
        let org = models::find_org(conn, &client_id)?.ok_or(diesel::result::Error::NotFound)?;
        let input = InviteInput { email: c.contact_email.clone(), role: Role::Admin };
        Some(client_page::invite_first_admin(conn, actor, msp_id, &org, input, base_url)?)
    } else {
        None
    };
    Ok((client_id, c.name.clone(), invited))
}

#[derive(Deserialize)]
pub struct TierForm {
    #[serde(default)]
    tier: String,
}

/// Runs a change on one client of the scope's MSP (404 for anyone else's) and flashes its message.
async fn change_client<F>(
    state: &AppState,
    scope: &MspScope,
    session: &Session,
    client_id: String,
    change: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection, &MspView, &ClientRow) -> Result<Result<String, String>, AppError> + Send + 'static,
{
    let view = MspView::of(scope);
    let target = format!("/msp/clients/{client_id}");
    let outcome = state
        .db
        .write(move |conn| {
            let client = view.client(conn, &client_id)?;
            change(conn, &view, &client)
        })
        .await?;
    session::flash_outcome(session, outcome);
    Ok(redirect(&target))
}

pub async fn change_tier(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<TierForm>,
) -> AppResult<HttpResponse> {
    let tier = Tier::parse(&form.tier);
    change_client(&state, &scope, &session, path.into_inner(), move |conn, view, client| {
        if client.archived {
            return Ok(Err(client_page::archived_refusal(client, "tier")));
        }
        let Some(tier) = tier else { return Ok(Err("Choose one of the tiers T1, T2 or T3.".into())) };
        if client.tier == tier {
            return Ok(Err(format!("{} is already at {}.", client.name, tier.label())));
        }
        models::set_tier(conn, &view.msp_org_id, &client.id, tier, actor.at)?;
        let details = format!("{} -> {}", client.tier.code(), tier.code());
        for org in [&view.msp_org_id, &client.id] {
            let target = Target::new("organization", &client.id, &client.name).details(details.clone());
            audit::record(conn, &actor, Some(org), Action::ClientTierChanged, target)?;
        }
        Ok(Ok(format!("{} is now at {}.", client.name, tier.label())))
    })
    .await
}

pub async fn set_assignments(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let chosen: Vec<String> = form.iter().filter(|(k, _)| k == "staff").map(|(_, v)| v.clone()).collect();
    change_client(&state, &scope, &session, path.into_inner(), move |conn, view, client| {
        if client.archived {
            return Ok(Err(client_page::archived_refusal(client, "staff assignments")));
        }
        let Some(staff) = chosen_staff(conn, &view.msp_org_id, &chosen)? else {
            return Ok(Err("Only active staff of this MSP can be assigned.".into()));
        };
        models::set_assignments(conn, &client.id, &staff, actor.at)?;
        let target =
            Target::new("organization", &client.id, &client.name).details(format!("{} staff assigned", staff.len()));
        audit::record(conn, &actor, Some(&view.msp_org_id), Action::ClientStaffAssigned, target)?;
        Ok(Ok(format!("Staff assignments for {} are saved.", client.name)))
    })
    .await
}

pub async fn archive(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_archived(state, scope, actor, session, path.into_inner(), true).await
}

pub async fn restore(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_archived(state, scope, actor, session, path.into_inner(), false).await
}

async fn set_archived(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    client_id: String,
    archived: bool,
) -> AppResult<HttpResponse> {
    change_client(&state, &scope, &session, client_id, move |conn, view, client| {
        if client.archived == archived {
            let state = if archived { "archived" } else { "active" };
            return Ok(Err(format!("{} is already {state}.", client.name)));
        }
        models::set_client_archived(conn, &view.msp_org_id, &client.id, archived, actor.at)?;
        let action = if archived { Action::ClientArchived } else { Action::ClientRestored };
        let target = Target::new("organization", &client.id, &client.name);
        audit::record(conn, &actor, Some(&view.msp_org_id), action, target)?;
        Ok(Ok(if archived {
            format!("{} is archived: nobody can work in it until it is restored. Its data is kept.", client.name)
        } else {
            format!("{} is restored.", client.name)
        }))
    })
    .await
}
