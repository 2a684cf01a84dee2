//! Portal session records (`portal_sessions`): one per signed-in browser in one client's portal, like staff
//! sessions but apart from them. The guard resolves the cookie's record in one statement, bound to the portal's
//! client: record open, user's stamp unchanged (a password change or reset ends it), an active membership in
//! that client.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::Actor;
use crate::auth::permissions::Role;
use crate::auth::portal::PortalAccount;
use crate::auth::scope::CurrentUser;
use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId, SessionId, UserId};
use crate::schema::{memberships, portal_accounts, portal_sessions, users};

/// Longest user agent kept (the rest is cut).
const MAX_USER_AGENT: usize = 200;

/// Starts a portal session for `user` in `client`, from the actor's browser.
pub fn start(conn: &mut DbConnection, client: &OrgId, user: &UserId, from: &Actor) -> QueryResult<SessionId> {
    let id = SessionId::new();
    let agent: String = from.user_agent.chars().filter(|c| !c.is_control()).take(MAX_USER_AGENT).collect();
    diesel::insert_into(portal_sessions::table)
        .values((
            portal_sessions::id.eq(&id),
            portal_sessions::org_id.eq(client),
            portal_sessions::user_id.eq(user),
            portal_sessions::created_at.eq(from.at),
            portal_sessions::last_seen_at.eq(from.at),
            portal_sessions::user_agent.eq(agent),
            portal_sessions::ip.eq(&from.ip),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Ends one portal session record (a no-op when unknown or already ended).
pub fn end(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        portal_sessions::table.filter(portal_sessions::id.eq(id)).filter(portal_sessions::ended_at.is_null()),
    )
    .set(portal_sessions::ended_at.eq(Some(now)))
    .execute(conn)
    .map(|_| ())
}

/// Ends every portal session of the user in the client (their access was removed); returns how many ended.
pub fn end_all_in(conn: &mut DbConnection, client: &OrgId, user: &UserId, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        portal_sessions::table
            .filter(portal_sessions::org_id.eq(client))
            .filter(portal_sessions::user_id.eq(user))
            .filter(portal_sessions::ended_at.is_null()),
    )
    .set(portal_sessions::ended_at.eq(Some(now)))
    .execute(conn)
}

/// A portal session that stands: who, their role in the client, their account, when last seen.
pub struct ResolvedPortal {
    pub user: CurrentUser,
    pub role: Role,
    pub account: PortalAccount,
    pub last_seen_at: NaiveDateTime,
}

type Row = ((UserId, String, String, bool), Role, NaiveDateTime, Option<(Option<ContactId>, bool)>);

/// The person behind a portal session record in `client`, or None when it no longer stands. One statement.
pub fn resolve(
    conn: &mut DbConnection,
    record: &str,
    stamp: &str,
    client: &OrgId,
) -> QueryResult<Option<ResolvedPortal>> {
    let row: Option<Row> = portal_sessions::table
        .inner_join(users::table)
        .inner_join(
            memberships::table.on(memberships::user_id
                .eq(portal_sessions::user_id)
                .and(memberships::org_id.eq(portal_sessions::org_id))
                .and(memberships::deactivated_at.is_null())),
        )
        .left_join(
            portal_accounts::table.on(portal_accounts::user_id
                .eq(portal_sessions::user_id)
                .and(portal_accounts::org_id.eq(portal_sessions::org_id))),
        )
        .filter(portal_sessions::id.eq(record))
        .filter(portal_sessions::org_id.eq(client))
        .filter(portal_sessions::ended_at.is_null())
        .filter(users::session_stamp.eq(stamp))
        .select((
            (users::id, users::email, users::name, users::is_super_admin),
            memberships::role,
            portal_sessions::last_seen_at,
            (portal_accounts::contact_id, portal_accounts::sees_company_tickets).nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|((id, email, name, is_super_admin), role, last_seen_at, account)| ResolvedPortal {
        user: CurrentUser { id, email, name, is_super_admin },
        role,
        account: account
            .map(|(contact_id, sees_company_tickets)| PortalAccount { contact_id, sees_company_tickets })
            .unwrap_or_default(),
        last_seen_at,
    }))
}

/// Marks the record as seen now (at most once a minute, like staff sessions).
pub fn touch(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(portal_sessions::table.filter(portal_sessions::id.eq(id)))
        .set(portal_sessions::last_seen_at.eq(now))
        .execute(conn)
        .map(|_| ())
}
