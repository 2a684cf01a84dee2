//! Installation-wide settings (one row per key), e.g. whether onboarding has been completed.

use diesel::prelude::*;

use chrono::NaiveDateTime;

use super::DbConnection;
use crate::schema::installation_settings as s;

pub const ONBOARDED_AT: &str = "onboarded_at";
pub const INSTALLATION_MODE: &str = "installation_mode";

pub fn get(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
    s::table.find(key).select(s::value).first(conn).optional()
}

/// Sets a key; insert-or-update without upsert (not available through the multi-connection).
pub fn set(conn: &mut DbConnection, key: &str, value: &str, now: NaiveDateTime) -> QueryResult<()> {
    let updated = diesel::update(s::table.find(key)).set((s::value.eq(value), s::updated_at.eq(now))).execute(conn)?;
    if updated == 0 {
        diesel::insert_into(s::table)
            .values((s::key.eq(key), s::value.eq(value), s::updated_at.eq(now)))
            .execute(conn)?;
    }
    Ok(())
}
