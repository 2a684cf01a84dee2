//! Resolving a staff session into an `Identity`, in one statement: the session record (open), the user (stamp
//! unchanged), their active memberships in active organizations, the organization the session works in and
//! whether the user is assigned to it, and the person's running timer (shown in the top bar of every page). The query's SQL is fixed (no boxed parts), so PostgreSQL prepares it once
//! per connection.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::permissions::{PermissionSet, Role, Tier};
use crate::auth::scope::{CurrentUser, DirectMembership, Identity, MspContext, MspLink, OrgContext, RunningTimer};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, SessionId, TicketId, UserId};
use crate::orgs::OrgKind;
use crate::schema::{memberships, organizations, running_timers, sessions, technician_assignments, users};

diesel::alias!(organizations as context_org: ContextOrg);

type UserCols = (UserId, String, String, bool);
type MembershipCols = (
    Option<OrgId>,
    Option<Role>,
    Option<bool>,
    Option<String>,
    Option<String>,
    Option<OrgKind>,
    Option<OrgId>,
    Option<String>,
);
type ContextCols =
    (Option<OrgId>, Option<String>, Option<String>, Option<OrgKind>, Option<String>, Option<OrgId>, Option<Tier>);
type TimerCols = (Option<TicketId>, Option<String>, Option<NaiveDateTime>);
type IdentityRow = (UserCols, (SessionId, NaiveDateTime), MembershipCols, ContextCols, Option<UserId>, TimerCols);

/// The organization a context is built from (a row of `organizations`).
#[derive(Clone, Debug, Queryable)]
pub struct OrgRow {
    pub id: OrgId,
    pub name: String,
    pub slug: String,
    pub kind: OrgKind,
    pub timezone: String,
    pub msp_org_id: Option<OrgId>,
    pub tier: Option<Tier>,
}

/// A resolved session: the identity, and when its record was last marked as seen.
pub struct Resolved {
    pub identity: Identity,
    pub last_seen_at: NaiveDateTime,
}

/// The identity behind a session cookie, or None when the session no longer stands (record ended or unknown,
/// stamp changed by a password change or "sign out everywhere", or no active membership left and not a super
/// admin). `wanted_org` is the organization stored in the cookie; when the user no longer reaches it, their
/// default organization is chosen instead (one more statement, only then).
pub fn resolve(
    conn: &mut DbConnection,
    session_id: &str,
    stamp: &str,
    wanted_org: &str,
) -> QueryResult<Option<Resolved>> {
    let ctx = context_org;
    let wanted_org = wanted_org.to_string();
    let rows: Vec<IdentityRow> = sessions::table
        .inner_join(users::table)
        .left_join(memberships::table.on(memberships::user_id.eq(users::id).and(memberships::deactivated_at.is_null())))
        .left_join(
            organizations::table
                .on(organizations::id.eq(memberships::org_id).and(organizations::archived_at.is_null())),
        )
        .left_join(ctx.on(
            ctx.field(organizations::id).eq(wanted_org.clone()).and(ctx.field(organizations::archived_at).is_null()),
        ))
        .left_join(technician_assignments::table.on(
            technician_assignments::org_id.eq(wanted_org.clone()).and(technician_assignments::user_id.eq(users::id)),
        ))
        .left_join(running_timers::table.on(running_timers::user_id.eq(users::id)))
        .filter(sessions::id.eq(session_id))
        .filter(sessions::ended_at.is_null())
        .filter(users::session_stamp.eq(stamp))
        .select((
            (users::id, users::email, users::name, users::is_super_admin),
            (sessions::id, sessions::last_seen_at),
            (
                memberships::org_id.nullable(),
                memberships::role.nullable(),
                memberships::compliance_team.nullable(),
                organizations::name.nullable(),
                organizations::slug.nullable(),
                organizations::kind.nullable(),
                organizations::msp_org_id.nullable(),
                organizations::timezone.nullable(),
            ),
            (
                ctx.field(organizations::id).nullable(),
                ctx.field(organizations::name).nullable(),
                ctx.field(organizations::slug).nullable(),
                ctx.field(organizations::kind).nullable(),
                ctx.field(organizations::timezone).nullable(),
                ctx.field(organizations::msp_org_id).nullable(),
                ctx.field(organizations::tier).nullable(),
            ),
            technician_assignments::user_id.nullable(),
            (
                running_timers::ticket_id.nullable(),
                running_timers::label.nullable(),
                running_timers::started_at.nullable(),
            ),
        ))
        .load(conn)?;
    let Some(first) = rows.first() else { return Ok(None) };
    let ((id, email, name, is_super_admin), (session_id, last_seen_at), _, context, assigned, timer) = first.clone();
    let user = CurrentUser { id, email, name, is_super_admin };
    let memberships = memberships_of(&rows);
    if memberships.is_empty() && !user.is_super_admin {
        return Ok(None);
    }
    let timer = match timer {
        (Some(ticket_id), Some(label), Some(started_at)) => Some(RunningTimer { ticket_id, label, started_at }),
        _ => None,
    };
    let mut identity = Identity { user, session_id, memberships, org: None, msp: None, timer };
    if let (Some(id), Some(name), Some(slug), Some(kind), Some(timezone), msp_org_id, tier) = context {
        let row = OrgRow { id, name, slug, kind, timezone, msp_org_id, tier };
        identity.org = context_in(&identity, row, assigned.is_some());
    }
    if identity.org.is_none()
        && let Some(default) = identity.default_org_id()
    {
        identity.org = org_context(conn, &identity, &default)?;
    }
    identity.msp = acting_msp(&identity);
    Ok(Some(Resolved { identity, last_seen_at }))
}

/// The user's active memberships in active organizations: MSPs first, then by name.
fn memberships_of(rows: &[IdentityRow]) -> Vec<DirectMembership> {
    let mut out: Vec<DirectMembership> = rows
        .iter()
        .filter_map(|(_, _, (org_id, role, team, name, slug, kind, msp_org_id, timezone), _, _, _)| {
            Some(DirectMembership {
                org_id: org_id.clone()?,
                org_name: name.clone()?,
                org_slug: slug.clone()?,
                org_kind: (*kind)?,
                role: (*role)?,
                compliance_team: team.unwrap_or(false),
                msp_org_id: msp_org_id.clone(),
                org_timezone: timezone.clone().unwrap_or_default(),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.org_kind != OrgKind::Msp, &a.org_name).cmp(&(b.org_kind != OrgKind::Msp, &b.org_name)));
    out.dedup_by(|a, b| a.org_id == b.org_id);
    out
}

/// The user's context in one organization, or None when they do not reach it (or it is archived): one or two
/// statements (the organization, and the assignment when the user reaches it only through assignment).
pub fn org_context(conn: &mut DbConnection, identity: &Identity, org_id: &str) -> QueryResult<Option<OrgContext>> {
    let org: Option<OrgRow> = organizations::table
        .find(org_id)
        .filter(organizations::archived_at.is_null())
        .select((
            organizations::id,
            organizations::name,
            organizations::slug,
            organizations::kind,
            organizations::timezone,
            organizations::msp_org_id,
            organizations::tier,
        ))
        .first(conn)
        .optional()?;
    let Some(row) = org else { return Ok(None) };
    let needs_assignment = row
        .msp_org_id
        .as_ref()
        .and_then(|msp| identity.memberships.iter().find(|m| &m.org_id == msp))
        .is_some_and(|m| m.role.reaches_clients() && !m.role.reaches_all_clients());
    let assigned = needs_assignment && is_assigned(conn, &identity.user.id, &row.id)?;
    Ok(context_in(identity, row, assigned))
}

fn is_assigned(conn: &mut DbConnection, user: &UserId, client: &OrgId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        technician_assignments::table
            .filter(technician_assignments::org_id.eq(client))
            .filter(technician_assignments::user_id.eq(user)),
    ))
    .get_result(conn)
}

/// What the user may do in `org`: their own membership's role, and the MSP path into it (their role in the
/// client's MSP, reaching all clients or this assigned one, capped by the tier).
fn context_in(identity: &Identity, org: OrgRow, assigned: bool) -> Option<OrgContext> {
    let direct = identity.memberships.iter().find(|m| m.org_id == org.id);
    let direct_role = direct.map(|m| m.role);
    let through_msp = match (&org.msp_org_id, org.tier) {
        (Some(msp_org_id), Some(tier)) => identity
            .memberships
            .iter()
            .find(|m| &m.org_id == msp_org_id && m.org_kind == OrgKind::Msp)
            .filter(|m| m.role.reaches_clients() && (m.role.reaches_all_clients() || assigned))
            .map(|m| (m, tier)),
        _ => None,
    };
    if direct.is_none() && through_msp.is_none() {
        return None;
    }
    let mut perms = direct.map(DirectMembership::permissions).unwrap_or_default();
    if let Some((membership, tier)) = through_msp {
        perms = perms.union(membership.permissions().intersect(PermissionSet::tier_cap(tier)));
    }
    let msp = through_msp.map(|(m, tier)| MspLink {
        msp_org_id: m.org_id.clone(),
        msp_name: m.org_name.clone(),
        role: m.role,
        tier,
    });
    Some(OrgContext {
        managed_by: org.msp_org_id.clone().zip(org.tier),
        id: org.id,
        name: org.name,
        slug: org.slug,
        kind: org.kind,
        timezone: org.timezone,
        direct_role,
        msp,
        perms,
    })
}

/// The MSP that MSP routes act on: the MSP of the current context (the MSP itself, or the MSP of the client
/// being worked in) when the user is a member of it, else the user's first MSP.
pub fn acting_msp(identity: &Identity) -> Option<MspContext> {
    let of_context = identity.org.as_ref().and_then(|org| match org.kind {
        OrgKind::Msp => Some(&org.id),
        _ => org.msp.as_ref().map(|link| &link.msp_org_id),
    });
    let msps = || identity.memberships.iter().filter(|m| m.org_kind == OrgKind::Msp && m.role.reaches_clients());
    let membership = of_context.and_then(|id| msps().find(|m| &m.org_id == id)).or_else(|| msps().next())?;
    Some(MspContext {
        id: membership.org_id.clone(),
        name: membership.org_name.clone(),
        role: membership.role,
        perms: membership.permissions(),
        timezone: membership.org_timezone.clone(),
    })
}
