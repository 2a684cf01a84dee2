//! User accounts: global (not per organization), identified by a lower-cased email.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::ids::{UserId, new_id};
use crate::schema::users;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub is_super_admin: bool,
    pub session_stamp: String,
    pub last_sign_in_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
    users::table.filter(users::email.eq(email.trim().to_lowercase())).select(User::as_select()).first(conn).optional()
}

pub fn find(conn: &mut DbConnection, id: &UserId) -> QueryResult<Option<User>> {
    users::table.find(id).select(User::as_select()).first(conn).optional()
}

/// Creates a user with an already-hashed password; returns the id.
pub fn insert(
    conn: &mut DbConnection,
    email: &str,
    name: &str,
    password_hash: &str,
    super_admin: bool,
    now: NaiveDateTime,
) -> QueryResult<UserId> {
    let id = UserId::new();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&id),
            users::email.eq(email.trim().to_lowercase()),
            users::name.eq(name.trim()),
            users::password_hash.eq(password_hash),
            users::is_super_admin.eq(super_admin),
            users::session_stamp.eq(new_id()),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A new session stamp ends every existing session of the user on their next request; returns the new stamp.
pub fn rotate_stamp(conn: &mut DbConnection, user_id: &UserId, now: NaiveDateTime) -> QueryResult<String> {
    let stamp = new_id();
    diesel::update(users::table.find(user_id))
        .set((users::session_stamp.eq(&stamp), users::updated_at.eq(now)))
        .execute(conn)?;
    Ok(stamp)
}

/// Sets a new password and rotates the stamp; returns the new stamp.
pub fn set_password(
    conn: &mut DbConnection,
    user_id: &UserId,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    diesel::update(users::table.find(user_id)).set(users::password_hash.eq(password_hash)).execute(conn)?;
    rotate_stamp(conn, user_id, now)
}

pub fn set_name(conn: &mut DbConnection, user_id: &UserId, name: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((users::name.eq(name), users::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

pub fn touch_sign_in(conn: &mut DbConnection, user_id: &UserId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(user_id)).set(users::last_sign_in_at.eq(Some(now))).execute(conn).map(|_| ())
}

/// Does the user hold an active membership in an active organization (what a session needs, unless super admin)?
pub fn has_active_membership(conn: &mut DbConnection, user_id: &UserId) -> QueryResult<bool> {
    use crate::schema::{memberships, organizations};
    diesel::select(diesel::dsl::exists(
        memberships::table
            .inner_join(organizations::table)
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::deactivated_at.is_null())
            .filter(organizations::archived_at.is_null()),
    ))
    .get_result(conn)
}
