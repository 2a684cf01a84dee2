//! Server-side session records: one per signed-in browser (created, last seen, device, IP). The cookie names its
//! record; sign-out ends it, "sign out everywhere" and a password change end the others, and the guard refuses
//! a cookie whose record has ended.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::audit::Actor;
use crate::db::DbConnection;
use crate::db::ids::{SessionId, UserId};
use crate::schema::sessions;

/// How stale `last_seen_at` may get before a request updates it (one write a minute per session, at most).
pub const LAST_SEEN_EVERY: Duration = Duration::minutes(1);

/// Longest user agent kept (the rest is cut).
const MAX_USER_AGENT: usize = 200;

/// Starts a session for `user`, signing in from the actor's browser (device, IP, time).
pub fn start(conn: &mut DbConnection, user: &UserId, from: &Actor) -> QueryResult<SessionId> {
    let id = SessionId::new();
    let agent: String = from.user_agent.chars().filter(|c| !c.is_control()).take(MAX_USER_AGENT).collect();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&id),
            sessions::user_id.eq(user),
            sessions::created_at.eq(from.at),
            sessions::last_seen_at.eq(from.at),
            sessions::user_agent.eq(agent),
            sessions::ip.eq(&from.ip),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Ends one of the user's sessions; false when it was not theirs or had already ended.
pub fn end(conn: &mut DbConnection, user: &UserId, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let ended = diesel::update(sessions::table)
        .filter(sessions::user_id.eq(user))
        .filter(sessions::id.eq(id))
        .filter(sessions::ended_at.is_null())
        .set(sessions::ended_at.eq(Some(now)))
        .execute(conn)?;
    Ok(ended == 1)
}

/// Ends every session of the user except `keep` (None: every one); returns how many ended.
pub fn end_all(
    conn: &mut DbConnection,
    user: &UserId,
    keep: Option<&SessionId>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let open = sessions::table.filter(sessions::user_id.eq(user)).filter(sessions::ended_at.is_null());
    match keep {
        Some(keep) => {
            diesel::update(open.filter(sessions::id.ne(keep))).set(sessions::ended_at.eq(Some(now))).execute(conn)
        }
        None => diesel::update(open).set(sessions::ended_at.eq(Some(now))).execute(conn),
    }
}

/// Marks the session as seen now (the guard calls it when the stored time is older than `LAST_SEEN_EVERY`).
pub fn touch(conn: &mut DbConnection, id: &SessionId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(sessions::table.find(id)).set(sessions::last_seen_at.eq(now)).execute(conn).map(|_| ())
}

/// One of the user's active sessions, as the profile page lists them.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = sessions)]
pub struct ActiveSession {
    pub id: SessionId,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub user_agent: String,
    pub ip: String,
}

impl ActiveSession {
    /// A short description of the browser ("Firefox on Linux"), from its user agent.
    pub fn device(&self) -> String {
        describe_user_agent(&self.user_agent)
    }
}

/// Most sessions listed on the profile page (the most recently seen first).
pub const LISTED_SESSIONS: i64 = 20;

pub fn active(conn: &mut DbConnection, user: &UserId) -> QueryResult<Vec<ActiveSession>> {
    sessions::table
        .filter(sessions::user_id.eq(user))
        .filter(sessions::ended_at.is_null())
        .order((sessions::last_seen_at.desc(), sessions::id.desc()))
        .limit(LISTED_SESSIONS)
        .select(ActiveSession::as_select())
        .load(conn)
}

/// "Firefox on Linux", "Safari on iPhone", or "Unknown browser".
pub fn describe_user_agent(agent: &str) -> String {
    let browser =
        [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
            .into_iter()
            .find(|(marker, _)| agent.contains(marker))
            .map(|(_, name)| name);
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) if agent.is_empty() => "Unknown browser".to_string(),
        (None, None) => agent.chars().take(60).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_read_as_devices() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(describe_user_agent(firefox), "Firefox on Linux");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_user_agent(safari), "Safari on iPhone");
        assert_eq!(describe_user_agent(""), "Unknown browser");
    }
}
