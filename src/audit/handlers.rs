//! Settings -> Activity log: the organization's log, filterable by person, action and date, paginated.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::AppState;
use crate::audit::Action;
use crate::audit::log::{self, ActivityEntry, LogFilter};
use crate::audit::sentences;
use crate::auth::Scope;
use crate::error::AppResult;
use crate::web::pagination::{Pager, query_string};
use crate::web::{PageContext, PageInput};

#[derive(Deserialize, Default)]
pub struct ActivityQuery {
    #[serde(default)]
    person: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: Option<String>,
}

pub struct ActivityRow {
    pub when: String,
    /// What happened, as a sentence.
    pub what: String,
    /// Who acted, as recorded (name and email), for telling two people of the same name apart.
    pub actor: String,
    pub ip: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/activity.html")]
pub struct ActivityPage {
    page: PageContext,
    rows: Vec<ActivityRow>,
    pager: Pager,
    actions: Vec<(String, String)>,
    people: Vec<(String, String)>,
    person: String,
    action: String,
    from: String,
    to: String,
    date_error: String,
    timezone: String,
}

pub async fn activity_log(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<ActivityQuery>,
) -> AppResult<ActivityPage> {
    let q = query.into_inner();
    let tz: chrono_tz::Tz = scope.org.timezone.parse().unwrap_or(chrono_tz::UTC);
    let (from, from_bad) = parse_day(&q.from, tz, 0);
    let (until, to_bad) = parse_day(&q.to, tz, 1);
    let date_error = if from_bad || to_bad { "Dates look like 2026-11-22." } else { "" };
    let filter = LogFilter {
        actor_user_id: Some(q.person.clone()).filter(|p| !p.is_empty()),
        action: Action::parse(&q.action),
        from,
        until,
    };
    let page_number = crate::web::pagination::ListQuery { page: q.page.clone(), q: None }.page();
    let base_query = query_string(&[("person", &q.person), ("action", &q.action), ("from", &q.from), ("to", &q.to)]);
    let org_id = scope.org_id().clone();
    let (page, entries, pager, people) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let pager = Pager::new(page_number, log::count(conn, &org_id, &filter)?, base_query);
            let entries = log::list(conn, &org_id, &filter, pager.per_page, pager.offset())?;
            let people = log::actors(conn, &org_id)?;
            Ok((page, entries, pager, people))
        })
        .await?;
    let mut actions: Vec<Action> = Action::ALL.to_vec();
    actions.sort_by_key(|a| a.label());
    Ok(ActivityPage {
        page,
        rows: entries.into_iter().map(|e| row(e, tz)).collect(),
        pager,
        actions: actions.into_iter().map(|a| (a.label().to_string(), a.id().to_string())).collect(),
        people: people.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
        person: q.person,
        action: q.action,
        from: q.from,
        to: q.to,
        date_error: date_error.to_string(),
        timezone: tz.name().to_string(),
    })
}

/// A local calendar day (plus `days_after`) as the UTC instant of its midnight; (None, true) when malformed.
fn parse_day(text: &str, tz: chrono_tz::Tz, days_after: i64) -> (Option<chrono::NaiveDateTime>, bool) {
    let text = text.trim();
    if text.is_empty() {
        return (None, false);
    }
    // Years a person means (and that both databases compare correctly); never an overflow on the day after.
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|day| (1..=9999).contains(&chrono::Datelike::year(day)))
        .and_then(|day| day.checked_add_days(chrono::Days::new(days_after as u64)));
    match day {
        // The day after 9999-12-31 is no bound at all (a five-digit year would compare wrongly as SQLite text).
        Some(day) if chrono::Datelike::year(&day) > 9999 => (None, false),
        Some(day) => (Some(crate::web::time::local_midnight_utc(day, tz)), false),
        None => (None, true),
    }
}

fn row(e: ActivityEntry, tz: chrono_tz::Tz) -> ActivityRow {
    ActivityRow {
        when: crate::web::time::local(e.created_at, tz),
        what: sentences::sentence(&e),
        actor: e.actor_label,
        ip: e.ip,
    }
}
