//! Writing and reading the activity log. Every state change records an entry in the same transaction as the
//! change itself.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::AppState;
use crate::auth::scope::Identity;
use crate::db::{DbConnection, new_id, now};
use crate::error::AppError;
use crate::schema::{activity_log, organizations, users};

/// Who is acting: the signed-in user (or a visitor) and the client IP.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<String>,
    pub label: String,
    pub ip: String,
}

impl Actor {
    pub fn with_user(&self, user_id: &str, label: &str) -> Actor {
        Actor { user_id: Some(user_id.to_string()), label: label.to_string(), ip: self.ip.clone() }
    }
}

impl FromRequest for Actor {
    type Error = AppError;
    type Future = Ready<Result<Actor, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trust_proxy = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.config.trust_proxy);
        let ip = crate::web::client_ip(req, trust_proxy);
        let actor = match req.extensions().get::<Identity>() {
            Some(identity) => Actor {
                user_id: Some(identity.user.id.clone()),
                label: format!("{} <{}>", identity.user.name, identity.user.email),
                ip,
            },
            None => Actor { user_id: None, label: "visitor".into(), ip },
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

/// Records one entry; also marks the organization's last activity (for the MSP dashboard), to the minute.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    org_id: Option<&str>,
    action: &str,
    target: Target<'_>,
) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(activity_log::table)
        .values((
            activity_log::id.eq(new_id()),
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
    pub id: String,
    pub actor_label: String,
    pub action: String,
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
    pub action: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

fn filtered<'a>(org_id: &'a str, filter: &'a LogFilter) -> activity_log::BoxedQuery<'a, crate::db::MultiBackend> {
    let mut q = activity_log::table.filter(activity_log::org_id.eq(org_id)).into_boxed();
    if let Some(actor) = &filter.actor_user_id {
        q = q.filter(activity_log::actor_user_id.eq(actor));
    }
    if let Some(action) = &filter.action {
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
pub fn count(conn: &mut DbConnection, org_id: &str, filter: &LogFilter) -> QueryResult<i64> {
    filtered(org_id, filter).count().get_result(conn)
}

/// One page of an organization's log, newest first.
pub fn list(
    conn: &mut DbConnection,
    org_id: &str,
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

/// The distinct actions and people that appear in an organization's log (for the filter pickers).
/// The filter pickers' choices: action ids, and (user id, name) of the people who acted.
pub type FilterChoices = (Vec<String>, Vec<(String, String)>);

pub fn filter_choices(conn: &mut DbConnection, org_id: &str) -> QueryResult<FilterChoices> {
    let actions = activity_log::table
        .filter(activity_log::org_id.eq(org_id))
        .select(activity_log::action)
        .distinct()
        .order(activity_log::action.asc())
        .load(conn)?;
    let actor_ids: Vec<Option<String>> = activity_log::table
        .filter(activity_log::org_id.eq(org_id))
        .filter(activity_log::actor_user_id.is_not_null())
        .select(activity_log::actor_user_id)
        .distinct()
        .load(conn)?;
    let actor_ids: Vec<String> = actor_ids.into_iter().flatten().collect();
    let people = users::table
        .filter(users::id.eq_any(actor_ids))
        .order(users::name.asc())
        .select((users::id, users::name))
        .load(conn)?;
    Ok((actions, people))
}
