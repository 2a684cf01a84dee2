//! Managing an organization's members and invitations: the operations behind Settings -> Team Members and the
//! super admin's organization page. Each runs inside the caller's transaction and writes the activity log.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::audit::Action;
use crate::audit::{self, Actor, Target};
use crate::auth::permissions::Role;
use crate::auth::tokens;
use crate::db::ids::{InvitationId, MembershipId, OrgId, UserId};
use crate::db::{DbConnection, MultiBackend, lower};
use crate::error::AppError;
use crate::orgs::models::{self, OrgKind, Organization};
use crate::schema::{invitations, memberships, users};
use crate::web::forms::{self, FieldErrors};

pub const INVITATION_DAYS: i64 = 7;

/// A member row of the team table.
#[derive(Clone, Debug, Queryable)]
pub struct MemberRow {
    pub id: MembershipId,
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub compliance_team: bool,
    pub active: bool,
    pub last_sign_in_at: Option<NaiveDateTime>,
    pub joined_at: NaiveDateTime,
}

type MemberJoin = diesel::dsl::InnerJoinQuerySource<memberships::table, users::table>;
type MemberFilter<'a> = Box<dyn BoxableExpression<MemberJoin, MultiBackend, SqlType = diesel::sql_types::Bool> + 'a>;

/// Members of the organization whose name or email contains the search text.
fn member_filter(org_id: &OrgId, search: &str) -> MemberFilter<'static> {
    let in_org = memberships::org_id.eq(org_id.clone());
    if search.is_empty() {
        return Box::new(in_org);
    }
    let pattern = crate::web::pagination::contains_pattern(search);
    Box::new(
        in_org.and(lower(users::name).like(pattern.clone()).escape('\\').or(users::email.like(pattern).escape('\\'))),
    )
}

pub fn count_members(conn: &mut DbConnection, org_id: &OrgId, search: &str) -> QueryResult<i64> {
    memberships::table.inner_join(users::table).filter(member_filter(org_id, search)).count().get_result(conn)
}

/// One page of members: active first, then by name.
pub fn list_members(
    conn: &mut DbConnection,
    org_id: &OrgId,
    search: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<MemberRow>> {
    memberships::table
        .inner_join(users::table)
        .filter(member_filter(org_id, search))
        .order((memberships::deactivated_at.is_not_null(), users::name.asc(), users::email.asc()))
        .limit(limit)
        .offset(offset)
        .select((
            memberships::id,
            users::id,
            users::name,
            users::email,
            memberships::role,
            memberships::compliance_team,
            memberships::deactivated_at.is_null(),
            users::last_sign_in_at,
            memberships::created_at,
        ))
        .load(conn)
}

#[derive(Clone, Debug)]
pub struct InvitationRow {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub expires_at: NaiveDateTime,
    pub expired: bool,
}

/// Open invitations (not accepted, not revoked), newest first; expired ones are shown as such until resent.
pub fn open_invitations(
    conn: &mut DbConnection,
    org_id: &OrgId,
    now: NaiveDateTime,
) -> QueryResult<Vec<InvitationRow>> {
    let rows: Vec<(InvitationId, String, Role, Option<String>, NaiveDateTime)> = invitations::table
        .left_join(users::table.on(users::id.nullable().eq(invitations::invited_by_user_id)))
        .filter(invitations::org_id.eq(org_id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .order(invitations::created_at.desc())
        .limit(100)
        .select((
            invitations::id,
            invitations::email,
            invitations::role,
            users::name.nullable(),
            invitations::expires_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, email, role, by, expires_at)| InvitationRow {
            id,
            email,
            role,
            invited_by: by.unwrap_or_else(|| "Palisade".into()),
            expires_at,
            expired: expires_at <= now,
        })
        .collect())
}

/// The invite form's input after validation.
pub struct InviteInput {
    pub email: String,
    pub role: Role,
}

/// Validates an invitation for this organization (role allowed here, not already a member or invited).
pub fn validate_invite(
    conn: &mut DbConnection,
    org: &Organization,
    email: &str,
    role: &str,
    now: NaiveDateTime,
) -> QueryResult<Result<InviteInput, FieldErrors>> {
    let mut errors = FieldErrors::default();
    if org.is_archived() {
        errors.add("email", format!("{} is archived; restore it before inviting anyone.", org.name));
    }
    let email = forms::email(&mut errors, "email", email);
    let role = Role::parse(role).filter(|r| Role::allowed_in(org.kind()).contains(r));
    if role.is_none() {
        errors.add("role", "Choose one of the roles offered for this organization.");
    }
    if errors.is_empty() {
        if is_active_member(conn, &org.id, &email)? {
            errors.add("email", "This person is already an active member. Change their role in the table below.");
        } else if has_open_invitation(conn, &org.id, &email, now)? {
            errors.add("email", "This person already has an open invitation. Resend it from the list below.");
        }
    }
    Ok(match role {
        Some(role) if errors.is_empty() => Ok(InviteInput { email, role }),
        _ => Err(errors),
    })
}

fn is_active_member(conn: &mut DbConnection, org_id: &OrgId, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        memberships::table
            .inner_join(users::table)
            .filter(memberships::org_id.eq(org_id))
            .filter(users::email.eq(email))
            .filter(memberships::deactivated_at.is_null()),
    ))
    .get_result(conn)
}

fn has_open_invitation(conn: &mut DbConnection, org_id: &OrgId, email: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        invitations::table
            .filter(invitations::org_id.eq(org_id))
            .filter(invitations::email.eq(email))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt(now)),
    ))
    .get_result(conn)
}

/// A created (or renewed) invitation: the token goes into the email and nowhere else.
pub struct IssuedInvitation {
    pub id: InvitationId,
    pub token: String,
    pub email: String,
    pub role: Role,
    pub expires_at: NaiveDateTime,
}

pub fn create_invitation(
    conn: &mut DbConnection,
    actor: &Actor,
    org: &Organization,
    input: InviteInput,
) -> QueryResult<IssuedInvitation> {
    let token = tokens::new_token();
    let id = InvitationId::new();
    let expires_at = actor.at + Duration::days(INVITATION_DAYS);
    diesel::insert_into(invitations::table)
        .values((
            invitations::id.eq(&id),
            invitations::org_id.eq(&org.id),
            invitations::email.eq(&input.email),
            invitations::role.eq(input.role),
            invitations::token_hash.eq(tokens::hash_token(&token)),
            invitations::invited_by_user_id.eq(actor.user_id.as_deref()),
            invitations::expires_at.eq(expires_at),
            invitations::created_at.eq(actor.at),
        ))
        .execute(conn)?;
    let target = Target::new("invitation", &id, &input.email).details(format!("role {}", input.role.id()));
    audit::record(conn, actor, Some(&org.id), Action::MemberInvited, target)?;
    Ok(IssuedInvitation { id, token, email: input.email, role: input.role, expires_at })
}

/// An open invitation of this organization by id (404 for another organization's).
fn open_invitation(
    conn: &mut DbConnection,
    org_id: &OrgId,
    id: &str,
) -> Result<(InvitationId, String, Role), AppError> {
    invitations::table
        .filter(invitations::org_id.eq(org_id))
        .filter(invitations::id.eq(id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .select((invitations::id, invitations::email, invitations::role))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A new link (the old one stops working) and seven more days.
pub fn resend_invitation(
    conn: &mut DbConnection,
    actor: &Actor,
    org_id: &OrgId,
    id: &str,
) -> Result<IssuedInvitation, AppError> {
    let (id, email, role) = open_invitation(conn, org_id, id)?;
    let token = tokens::new_token();
    let expires_at = actor.at + Duration::days(INVITATION_DAYS);
    diesel::update(invitations::table.find(&id).filter(invitations::org_id.eq(org_id)))
        .set((invitations::token_hash.eq(tokens::hash_token(&token)), invitations::expires_at.eq(expires_at)))
        .execute(conn)?;
    audit::record(conn, actor, Some(org_id), Action::InvitationResent, Target::new("invitation", &id, &email))?;
    Ok(IssuedInvitation { id, token, email, role, expires_at })
}

pub fn revoke_invitation(conn: &mut DbConnection, actor: &Actor, org_id: &OrgId, id: &str) -> Result<String, AppError> {
    let (id, email, _) = open_invitation(conn, org_id, id)?;
    diesel::update(invitations::table.find(&id).filter(invitations::org_id.eq(org_id)))
        .set(invitations::revoked_at.eq(Some(actor.at)))
        .execute(conn)?;
    audit::record(conn, actor, Some(org_id), Action::InvitationRevoked, Target::new("invitation", &id, &email))?;
    Ok(format!("The invitation to {email} is revoked; its link no longer works."))
}

/// A change to one member.
#[derive(Clone, Copy, Debug)]
pub enum MemberChange {
    Role(Role),
    Deactivate,
    Reactivate,
    ComplianceTeam(bool),
}

/// Applies a change to a member of `org`, refusing what would lock the organization out (no active admin left)
/// or what the role model forbids. Returns the message to show.
pub fn change_member(
    conn: &mut DbConnection,
    actor: &Actor,
    org: &Organization,
    member_id: &str,
    change: MemberChange,
) -> Result<Result<String, String>, AppError> {
    let member = models::membership_in_org(conn, &org.id, member_id)?.ok_or(AppError::NotFound)?;
    let (name, email): (String, String) =
        users::table.find(&member.user_id).select((users::name, users::email)).first(conn)?;
    let current_role = member.role();
    if let Some(refusal) = refusal(conn, actor, org, &member, current_role, change)? {
        return Ok(Err(refusal));
    }
    let now = actor.at;
    let target = diesel::update(memberships::table.find(&member.id).filter(memberships::org_id.eq(&org.id)));
    let (action, details, message) = match change {
        MemberChange::Role(role) => {
            target.set((memberships::role.eq(role), memberships::updated_at.eq(now))).execute(conn)?;
            let details = format!("{} -> {}", current_role.id(), role.id());
            (Action::MemberRoleChanged, details, format!("{name} is now {}.", role.label()))
        }
        MemberChange::Deactivate => {
            target.set((memberships::deactivated_at.eq(Some(now)), memberships::updated_at.eq(now))).execute(conn)?;
            let message = format!("{name} is deactivated: their access to {} ended now and a seat is free.", org.name);
            (Action::MemberDeactivated, String::new(), message)
        }
        MemberChange::Reactivate => {
            let reset = memberships::deactivated_at.eq(None::<NaiveDateTime>);
            target.set((reset, memberships::updated_at.eq(now))).execute(conn)?;
            (Action::MemberReactivated, String::new(), format!("{name} is active again."))
        }
        MemberChange::ComplianceTeam(on) => {
            target.set((memberships::compliance_team.eq(on), memberships::updated_at.eq(now))).execute(conn)?;
            let message = if on {
                format!("{name} is on the compliance team.")
            } else {
                format!("{name} is no longer on the compliance team.")
            };
            (Action::ComplianceTeamChanged, if on { "on" } else { "off" }.to_string(), message)
        }
    };
    let target = Target::new("membership", &member.id, &email).details(details);
    audit::record(conn, actor, Some(&org.id), action, target)?;
    Ok(Ok(message))
}

/// Why a member change is refused, if it is.
fn refusal(
    conn: &mut DbConnection,
    actor: &Actor,
    org: &Organization,
    member: &models::Membership,
    current_role: Role,
    change: MemberChange,
) -> QueryResult<Option<String>> {
    let is_self = actor.user_id.as_ref() == Some(&member.user_id);
    let removes_admin = member.is_active()
        && current_role == Role::Admin
        && matches!(change, MemberChange::Deactivate | MemberChange::Role(_))
        && !matches!(change, MemberChange::Role(Role::Admin));
    Ok(match change {
        // Nothing to change: refused rather than logged as a change.
        MemberChange::Role(role) if role == current_role => Some(format!("This member is already {}.", role.label())),
        MemberChange::ComplianceTeam(on) if member.compliance_team == on => Some(if on {
            "This member is already on the compliance team.".into()
        } else {
            "This member is not on the compliance team.".into()
        }),
        MemberChange::Role(role) if !Role::allowed_in(org.kind()).contains(&role) => {
            Some(format!("{} is not a role an organization of this kind can have.", role.label()))
        }
        MemberChange::Deactivate if is_self => Some("You cannot deactivate yourself.".into()),
        MemberChange::Deactivate if !member.is_active() => Some("This member is already deactivated.".into()),
        MemberChange::Reactivate if member.is_active() => Some("This member is already active.".into()),
        _ if removes_admin && active_admins(conn, &org.id)? <= 1 => Some(
            "This is the organization's only active Admin. Make someone else Admin first, so the organization is \
             never left without one."
                .into(),
        ),
        _ => None,
    })
}

fn active_admins(conn: &mut DbConnection, org_id: &OrgId) -> QueryResult<i64> {
    memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::role.eq(Role::Admin))
        .filter(memberships::deactivated_at.is_null())
        .count()
        .get_result(conn)
}

/// Roles offered in the pickers of an organization of this kind, as (id, label).
pub fn role_choices(kind: OrgKind) -> Vec<(&'static str, &'static str)> {
    Role::allowed_in(kind).into_iter().map(|r| (r.id(), r.label())).collect()
}
