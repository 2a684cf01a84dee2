//! Writing and reading the activity log. Every state change records an entry in the same transaction as the
//! change itself.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::AppState;
use crate::audit::actions::Action;
use crate::auth::scope::Identity;
use crate::db::DbConnection;
use crate::db::ids::{ActivityId, OrgId, UserId};
use crate::error::AppError;
use crate::schema::{activity_log, organizations, users};

/// Who is acting: the signed-in user (or a visitor), the client IP, and when (the request's time, from the
/// application's clock: every row a request writes carries it).
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub label: String,
    pub ip: String,
    /// The browser's `User-Agent` (kept on the session records a sign-in starts).
    pub user_agent: String,
    pub at: NaiveDateTime,
}

impl Actor {
    pub fn with_user(&self, user_id: &UserId, label: &str) -> Actor {
        Actor { user_id: Some(user_id.clone()), label: label.to_string(), ..self.clone() }
    }

    /// The application itself acting (seeds, commands, scheduled work).
    pub fn system(label: &str, at: NaiveDateTime) -> Actor {
        Actor { user_id: None, label: label.to_string(), ip: "local".into(), user_agent: String::new(), at }
    }
}

impl FromRequest for Actor {
    type Error = AppError;
    type Future = Ready<Result<Actor, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(AppError::internal("no app state")));
        };
        let ip = crate::web::client_ip(req, state.config.trust_proxy);
        let at = state.clock.now();
        let agent = req.headers().get(actix_web::http::header::USER_AGENT).and_then(|v| v.to_str().ok());
        let user_agent = agent.unwrap_or_default().to_string();
        let extensions = req.extensions();
        // A portal request acts as its end user (the guard resolves no staff identity there).
        let user = extensions
            .get::<Identity>()
            .map(|identity| &identity.user)
            .or_else(|| extensions.get::<crate::auth::portal::PortalScope>().map(|portal| &portal.user));
        let actor = match user {
            Some(user) => Actor { user_id: Some(user.id.clone()), label: user.label(), ip, user_agent, at },
            None => Actor { user_id: None, label: "visitor".into(), ip, user_agent, at },
        };
        ready(Ok(actor))
    }
}

/// What an action was done to.
#[derive(Clone, Debug, Default)]
pub struct Target<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub label: &'a str,
    pub details: String,
}

impl<'a> Target<'a> {
    pub fn new(kind: &'a str, id: &'a str, label: &'a str) -> Target<'a> {
        Target { kind, id, label, details: String::new() }
    }
    pub fn details(mut self, details: impl Into<String>) -> Target<'a> {
        self.details = details.into();
        self
    }
}

/// Records one entry, at the actor's time; also marks the organization's last activity (for the MSP dashboard),
/// to the minute.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    org_id: Option<&OrgId>,
    action: Action,
    target: Target<'_>,
) -> QueryResult<()> {
    let at = actor.at;
    diesel::insert_into(activity_log::table)
        .values((
            activity_log::id.eq(ActivityId::new()),
            activity_log::org_id.eq(org_id),
            activity_log::actor_user_id.eq(actor.user_id.as_deref()),
            activity_log::actor_label.eq(&actor.label),
            activity_log::action.eq(action),
            activity_log::target_type.eq(target.kind),
            activity_log::target_id.eq(target.id),
            activity_log::target_label.eq(target.label),
            activity_log::details.eq(&target.details),
            activity_log::ip.eq(&actor.ip),
            activity_log::created_at.eq(at),
        ))
        .execute(conn)?;
    if let Some(org_id) = org_id {
        // At most one write a minute per organization, so a busy organization's activity does not queue on its
        // row (the dashboard shows "n minutes ago").
        diesel::update(organizations::table.find(org_id))
            .filter(organizations::last_activity_at.lt(at - chrono::Duration::minutes(1)))
            .set(organizations::last_activity_at.eq(at))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Queryable, Clone, Debug)]
pub struct ActivityEntry {
    pub id: ActivityId,
    pub actor_label: String,
    pub action: Action,
    pub target_type: String,
    pub target_label: String,
    pub details: String,
    pub ip: String,
    pub created_at: NaiveDateTime,
}

/// Filters of the activity log page.
#[derive(Clone, Debug, Default)]
pub struct LogFilter {
    pub actor_user_id: Option<String>,
    pub action: Option<Action>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

fn filtered<'a>(org_id: &'a OrgId, filter: &'a LogFilter) -> activity_log::BoxedQuery<'a, crate::db::MultiBackend> {
    let mut q = activity_log::table.filter(activity_log::org_id.eq(org_id)).into_boxed();
    if let Some(actor) = &filter.actor_user_id {
        q = q.filter(activity_log::actor_user_id.eq(actor));
    }
    if let Some(action) = filter.action {
        q = q.filter(activity_log::action.eq(action));
    }
    if let Some(from) = filter.from {
        q = q.filter(activity_log::created_at.ge(from));
    }
    if let Some(until) = filter.until {
        q = q.filter(activity_log::created_at.lt(until));
    }
    q
}

/// How many entries of an organization's log match the filter.
pub fn count(conn: &mut DbConnection, org_id: &OrgId, filter: &LogFilter) -> QueryResult<i64> {
    filtered(org_id, filter).count().get_result(conn)
}

/// One page of an organization's log, newest first.
pub fn list(
    conn: &mut DbConnection,
    org_id: &OrgId,
    filter: &LogFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<ActivityEntry>> {
    filtered(org_id, filter)
        .order((activity_log::created_at.desc(), activity_log::id.desc()))
        .limit(limit)
        .offset(offset)
        .select((
            activity_log::id,
            activity_log::actor_label,
            activity_log::action,
            activity_log::target_type,
            activity_log::target_label,
            activity_log::details,
            activity_log::ip,
            activity_log::created_at,
        ))
        .load(conn)
}

/// The latest entries about one thing (a control, an evidence item), newest first: its history on its page.
pub fn for_target(
    conn: &mut DbConnection,
    org_id: &OrgId,
    target_type: &str,
    target_id: &str,
    limit: i64,
) -> QueryResult<Vec<ActivityEntry>> {
    activity_log::table
        .filter(activity_log::org_id.eq(org_id))
        .filter(activity_log::target_type.eq(target_type))
        .filter(activity_log::target_id.eq(target_id))
        .order((activity_log::created_at.desc(), activity_log::id.desc()))
        .limit(limit)
        .select((
            activity_log::id,
            activity_log::actor_label,
            activity_log::action,
            activity_log::target_type,
            activity_log::target_label,
            activity_log::details,
            activity_log::ip,
            activity_log::created_at,
        ))
        .load(conn)
}

/// The people who acted in an organization's log, as (user id, name), for the filter picker. (The action
/// picker offers `Action::ALL`: no query.)
pub fn actors(conn: &mut DbConnection, org_id: &OrgId) -> QueryResult<Vec<(UserId, String)>> {
    let actor_ids: Vec<Option<UserId>> = activity_log::table
        .filter(activity_log::org_id.eq(org_id))
        .filter(activity_log::actor_user_id.is_not_null())
        .select(activity_log::actor_user_id)
        .distinct()
        .load(conn)?;
    let actor_ids: Vec<UserId> = actor_ids.into_iter().flatten().collect();
    users::table
        .filter(users::id.eq_any(actor_ids))
        .order(users::name.asc())
        .select((users::id, users::name))
        .load(conn)
}
