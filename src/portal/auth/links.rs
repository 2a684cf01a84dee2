//! The portal's emailed links (`portal_links`): a one-time sign-in, a password reset, an invitation to set a
//! first password. Each belongs to one end user in one client, is stored as its token's SHA-256 only, works
//! once and expires.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::tokens;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::portal::auth::mail::{LinkMail, send_link};
use crate::schema::portal_links;

/// What a link does, and for how long it works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    Reset,
    Invite,
}

impl Purpose {
    fn id(self) -> &'static str {
        match self {
            Purpose::SignIn => "sign_in",
            Purpose::Reset => "reset",
            Purpose::Invite => "invite",
        }
    }

    pub fn valid_for(self) -> Duration {
        match self {
            Purpose::SignIn => Duration::minutes(15),
            Purpose::Reset => Duration::hours(1),
            Purpose::Invite => Duration::days(7),
        }
    }

    /// The path of the link inside the portal (`/link/{token}`).
    pub fn path(self, token: &str) -> String {
        match self {
            Purpose::SignIn => format!("/link/{token}"),
            Purpose::Reset => format!("/reset/{token}"),
            Purpose::Invite => format!("/welcome/{token}"),
        }
    }
}

/// Makes a link for the user in the client; returns its token (only ever sent, never stored).
pub fn issue(
    conn: &mut DbConnection,
    client: &OrgId,
    user: &UserId,
    purpose: Purpose,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = tokens::new_token();
    diesel::insert_into(portal_links::table)
        .values((
            portal_links::id.eq(uuid::Uuid::now_v7().to_string()),
            portal_links::org_id.eq(client),
            portal_links::user_id.eq(user),
            portal_links::purpose.eq(purpose.id()),
            portal_links::token_hash.eq(tokens::hash_token(&token)),
            portal_links::expires_at.eq(now + purpose.valid_for()),
            portal_links::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The user a link of this client and purpose belongs to, when it still works (unused, unexpired).
pub fn holder(
    conn: &mut DbConnection,
    client: &OrgId,
    token: &str,
    purpose: Purpose,
    now: NaiveDateTime,
) -> QueryResult<Option<UserId>> {
    if !tokens::looks_like_token(token) {
        return Ok(None);
    }
    portal_links::table
        .filter(portal_links::token_hash.eq(tokens::hash_token(token)))
        .filter(portal_links::org_id.eq(client))
        .filter(portal_links::purpose.eq(purpose.id()))
        .filter(portal_links::used_at.is_null())
        .filter(portal_links::expires_at.gt(now))
        .select(portal_links::user_id)
        .first(conn)
        .optional()
}

/// Spends a working link, with every other open link of its user and purpose in the client; returns its user,
/// or None when it no longer works (so two uses at once cannot both succeed).
pub fn spend(
    conn: &mut DbConnection,
    client: &OrgId,
    token: &str,
    purpose: Purpose,
    now: NaiveDateTime,
) -> QueryResult<Option<UserId>> {
    let Some(user) = holder(conn, client, token, purpose, now)? else { return Ok(None) };
    let spent = diesel::update(
        portal_links::table
            .filter(portal_links::token_hash.eq(tokens::hash_token(token)))
            .filter(portal_links::used_at.is_null()),
    )
    .set(portal_links::used_at.eq(Some(now)))
    .execute(conn)?;
    if spent != 1 {
        return Ok(None);
    }
    spend_all(conn, client, &user, purpose, now)?;
    Ok(Some(user))
}

/// Spends every open link of the user and purpose in the client (a new password makes older resets void).
pub fn spend_all(
    conn: &mut DbConnection,
    client: &OrgId,
    user: &UserId,
    purpose: Purpose,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        portal_links::table
            .filter(portal_links::org_id.eq(client))
            .filter(portal_links::user_id.eq(user))
            .filter(portal_links::purpose.eq(purpose.id()))
            .filter(portal_links::used_at.is_null()),
    )
    .set(portal_links::used_at.eq(Some(now)))
    .execute(conn)
}

/// Voids the user's open links of the kind, makes a new one and queues the email carrying it (the caller's
/// transaction): an invitation sent again leaves only the newest link working.
pub fn send(
    conn: &mut DbConnection,
    base_url: &str,
    client: &OrgId,
    user: &crate::auth::users::User,
    kind: &LinkMail,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let purpose = kind.purpose();
    spend_all(conn, client, &user.id, purpose, now)?;
    let token = issue(conn, client, &user.id, purpose, now)?;
    send_link(conn, base_url, client, kind, (&user.email, &user.name), &purpose.path(&token), now)
}
