//! Settings -> Team Members (members, invitations, seats) and Settings -> Roles (the permission matrix).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::AppState;
use crate::audit::Actor;
use crate::auth::permissions::{Permission, PermissionSet, Role, Tier};
use crate::auth::{Scope, session};
use crate::db::ids::OrgId;
use crate::error::{AppError, AppResult};
use crate::mail::OutgoingMail;
use crate::orgs::members::{self, InvitationRow, IssuedInvitation, MemberChange, MemberRow};
use crate::orgs::models::{self, Organization};
use crate::web::forms::FieldErrors;
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput};
use crate::web::{redirect, render, render_status};

#[derive(Template)]
#[template(path = "orgs/team.html")]
struct TeamPage {
    page: PageContext,
    org_name: String,
    members: Vec<MemberRow>,
    pager: Pager,
    search: String,
    invitations: Vec<InvitationRow>,
    seats_used: i64,
    seat_limit: i64,
    can_manage: bool,
    roles: Vec<(&'static str, &'static str)>,
    invite_email: String,
    invite_role: String,
    errors: FieldErrors,
    timezone: chrono_tz::Tz,
    /// Why there is no invite form, for those who may see the team but not manage it.
    invite_note: Option<crate::orgs::client_page::InviteNote>,
}

impl TeamPage {
    fn over_limit(&self) -> bool {
        self.seats_used > self.seat_limit
    }
    fn when(&self, at: &chrono::NaiveDateTime) -> String {
        crate::web::time::local(*at, self.timezone)
    }
    fn last_seen(&self, at: &Option<chrono::NaiveDateTime>) -> String {
        at.map(|t| self.when(&t)).unwrap_or_else(|| "never".into())
    }
}

/// The invite form's values and errors when it comes back to the person.
#[derive(Default)]
struct InviteFormState {
    email: String,
    role: String,
    errors: FieldErrors,
}

pub async fn page(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    render_team(&state, scope, input, &query, InviteFormState::default()).await
}

async fn render_team(
    state: &AppState,
    scope: Scope,
    input: PageInput,
    query: &ListQuery,
    form: InviteFormState,
) -> AppResult<HttpResponse> {
    let search = query.search();
    let page_number = query.page();
    let org_id = scope.org_id().clone();
    let kind = scope.org.kind;
    let now = state.clock.now();
    let (page, org, members, pager, invitations, seats_used) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let org = models::find_org(conn, &org_id)?.ok_or(AppError::NotFound)?;
            let total = members::count_members(conn, &org_id, &search)?;
            let pager = Pager::new(page_number, total, query_string(&[("q", &search)]));
            let rows = members::list_members(conn, &org_id, &search, pager.per_page, pager.offset())?;
            let invitations = members::open_invitations(conn, &org_id, now)?;
            let seats = models::seats_used(conn, &org_id)?;
            Ok((page, org, rows, pager, invitations, seats))
        })
        .await?;
    let status = crate::web::form_status(&form.errors);
    render_status(
        status,
        TeamPage {
            page,
            org_name: org.name.clone(),
            members,
            search: query.search(),
            pager,
            invitations,
            seats_used,
            seat_limit: i64::from(org.seat_limit),
            can_manage: scope.can(Permission::ManageTeam),
            roles: members::role_choices(kind),
            invite_email: form.email,
            invite_role: if form.role.is_empty() { Role::Employee.id().to_string() } else { form.role },
            errors: form.errors,
            timezone: org.timezone.parse().unwrap_or(chrono_tz::UTC),
            invite_note: crate::orgs::client_page::team_invite_note(&scope),
        },
    )
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
}

pub async fn invite(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    actor: Actor,
    session: Session,
    form: web::Form<InviteForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    match invite_to(&state, &actor, scope.org_id(), &form).await? {
        Ok(message) => {
            session::flash_ok(&session, message);
            Ok(redirect("/settings/team"))
        }
        Err(errors) => {
            let back = InviteFormState { email: form.email, role: form.role, errors };
            render_team(&state, scope, input, &ListQuery::default(), back).await
        }
    }
}

/// Validates and creates an invitation, and queues its email in the same transaction. Shared with the super
/// admin's organization page.
pub async fn invite_to(
    state: &AppState,
    actor: &Actor,
    org_id: &OrgId,
    form: &InviteForm,
) -> AppResult<Result<String, FieldErrors>> {
    let (org_id, email, role, actor) = (org_id.clone(), form.email.clone(), form.role.clone(), actor.clone());
    let base_url = state.config.base_url.clone();
    let issued = state
        .db
        .write(move |conn| {
            let org = models::find_org(conn, &org_id)?.ok_or(AppError::NotFound)?;
            match members::validate_invite(conn, &org, &email, &role, actor.at)? {
                Ok(input) => {
                    let issued = members::create_invitation(conn, &actor, &org, input)?;
                    crate::mail::enqueue(conn, actor.at, &invitation_mail(&base_url, &actor, &org, &issued))?;
                    Ok(Ok(issued))
                }
                Err(errors) => Ok(Err(errors)),
            }
        })
        .await?;
    Ok(issued.map(|issued| format!("Invitation sent to {} as {}.", issued.email, issued.role.label())))
}

/// The invitation email (its link carries the token, which only this email ever holds).
pub(crate) fn invitation_mail(
    base_url: &str,
    actor: &Actor,
    org: &Organization,
    issued: &IssuedInvitation,
) -> OutgoingMail {
    let link = format!("{base_url}/invitations/{}", issued.token);
    let inviter = actor.label.split(" <").next().unwrap_or("Your administrator");
    let expires = crate::web::time::local(issued.expires_at, org.tz());
    crate::mail::messages::invitation(&issued.email, inviter, &org.name, issued.role.label(), &link, &expires)
        .for_org(&org.id)
}

pub async fn resend(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let message = resend_in(&state, &actor, scope.org_id(), &path.into_inner()).await?;
    session::flash_ok(&session, message);
    Ok(redirect("/settings/team"))
}

pub async fn resend_in(state: &AppState, actor: &Actor, org_id: &OrgId, invitation_id: &str) -> AppResult<String> {
    let (org_id, id, actor) = (org_id.clone(), invitation_id.to_string(), actor.clone());
    let base_url = state.config.base_url.clone();
    let issued = state
        .db
        .write(move |conn| {
            let org = models::find_org(conn, &org_id)?.ok_or(AppError::NotFound)?;
            let issued = members::resend_invitation(conn, &actor, &org_id, &id)?;
            crate::mail::enqueue(conn, actor.at, &invitation_mail(&base_url, &actor, &org, &issued))?;
            Ok(issued)
        })
        .await?;
    Ok(format!("Invitation sent to {} as {}. The previous link no longer works.", issued.email, issued.role.label()))
}

pub async fn revoke(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (org_id, id) = (scope.org_id().clone(), path.into_inner());
    let message = state.db.write(move |conn| members::revoke_invitation(conn, &actor, &org_id, &id)).await?;
    session::flash_ok(&session, message);
    Ok(redirect("/settings/team"))
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    pub role: String,
}

#[derive(Deserialize)]
pub struct ToggleForm {
    #[serde(default)]
    pub on: String,
}

/// Applies a member change in an organization and flashes the outcome. Shared with the admin pages.
pub async fn apply_change(
    state: &AppState,
    actor: Actor,
    session: &Session,
    org_id: &OrgId,
    member_id: String,
    change: Result<MemberChange, String>,
) -> AppResult<()> {
    let org_id = org_id.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let org = models::find_org(conn, &org_id)?.ok_or(AppError::NotFound)?;
            models::membership_in_org(conn, &org.id, &member_id)?.ok_or(AppError::NotFound)?;
            match change {
                Ok(change) => members::change_member(conn, &actor, &org, &member_id, change),
                Err(refusal) => Ok(Err(refusal)),
            }
        })
        .await?;
    session::flash_outcome(session, outcome);
    Ok(())
}

/// The role change a form asks for, or why it cannot be made.
pub fn role_change(text: &str) -> Result<MemberChange, String> {
    Role::parse(text).map(MemberChange::Role).ok_or_else(|| "Choose a role from the list.".to_string())
}

pub async fn change_role(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<RoleForm>,
) -> AppResult<HttpResponse> {
    apply_change(&state, actor, &session, scope.org_id(), path.into_inner(), role_change(&form.role)).await?;
    Ok(redirect("/settings/team"))
}

pub async fn deactivate(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    apply_change(&state, actor, &session, scope.org_id(), path.into_inner(), Ok(MemberChange::Deactivate)).await?;
    Ok(redirect("/settings/team"))
}

pub async fn reactivate(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    apply_change(&state, actor, &session, scope.org_id(), path.into_inner(), Ok(MemberChange::Reactivate)).await?;
    Ok(redirect("/settings/team"))
}

pub async fn compliance_team(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<ToggleForm>,
) -> AppResult<HttpResponse> {
    let change = Ok(MemberChange::ComplianceTeam(form.on == "1"));
    apply_change(&state, actor, &session, scope.org_id(), path.into_inner(), change).await?;
    Ok(redirect("/settings/team"))
}

/// One row of the permission matrix: a permission and, per role, whether the role has it.
struct MatrixRow {
    area: &'static str,
    label: &'static str,
    description: &'static str,
    cells: Vec<bool>,
    /// Added to any role by the compliance-team flag.
    team: bool,
    min_tier: String,
}

/// One role column of the permission matrix.
struct RoleColumn {
    label: &'static str,
    description: &'static str,
    /// Held only in MSPs (highlighted, so the MSP columns are easy to find).
    msp_only: bool,
}

#[derive(Template)]
#[template(path = "orgs/roles.html")]
struct RolesPage {
    page: PageContext,
    roles: Vec<RoleColumn>,
    rows: Vec<MatrixRow>,
    tiers: Vec<(String, &'static str, usize)>,
}

pub async fn roles(state: web::Data<AppState>, input: PageInput) -> AppResult<HttpResponse> {
    let page = state.db.run(move |conn| Ok(input.load(conn)?)).await?;
    let roles: Vec<Role> = Role::ALL.to_vec();
    let rows = Permission::ALL
        .into_iter()
        .map(|p| MatrixRow {
            area: p.area(),
            label: p.label(),
            description: p.description(),
            cells: roles.iter().map(|r| r.permissions().contains(p)).collect(),
            team: crate::auth::permissions::COMPLIANCE_TEAM.contains(p),
            min_tier: p.min_tier().map(|t| t.label()).unwrap_or_else(|| "never".into()),
        })
        .collect();
    let tiers = Tier::ALL
        .into_iter()
        .map(|t| (t.label(), t.description(), PermissionSet::tier_cap(t).iter().count()))
        .collect();
    let roles = roles
        .iter()
        .map(|r| RoleColumn {
            label: r.label(),
            description: r.description(),
            msp_only: r.scope() == crate::auth::permissions::RoleScope::MspOnly,
        })
        .collect();
    render(RolesPage { page, roles, rows, tiers })
}
