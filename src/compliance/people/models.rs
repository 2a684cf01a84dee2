//! People rows and their queries, always within one organization. Emails are stored lower-case and unique in
//! the organization; a person whose email is a member's is linked to that user.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::ids::{OrgId, PersonId, UserId};
use crate::db::{Day, DbConnection, MultiBackend, lower};
use crate::schema::{memberships, people, users};
use crate::web::pagination::contains_pattern;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = people)]
pub struct Person {
    pub id: PersonId,
    pub org_id: OrgId,
    pub name: String,
    pub email: String,
    pub department: String,
    pub manager: String,
    pub start_on: Option<Day>,
    pub user_id: Option<UserId>,
    pub deactivated_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Person {
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
    pub fn start_label(&self) -> String {
        self.start_on.map(|d| d.label()).unwrap_or_default()
    }
}

/// A person's validated details.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonInput {
    pub name: String,
    /// Lower-case.
    pub email: String,
    pub department: String,
    pub manager: String,
    pub start_on: Option<Day>,
}

/// The directory's filters.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub search: String,
    pub department: String,
    pub inactive: bool,
}

type Filter = Box<dyn BoxableExpression<people::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

fn filter(org: &OrgId, f: &ListFilter) -> Filter {
    let mut filter: Filter = Box::new(people::org_id.eq(org.clone()));
    filter = if f.inactive {
        Box::new(filter.and(people::deactivated_at.is_not_null()))
    } else {
        Box::new(filter.and(people::deactivated_at.is_null()))
    };
    if !f.department.is_empty() {
        filter = Box::new(filter.and(people::department.eq(f.department.clone())));
    }
    if !f.search.is_empty() {
        let pattern = contains_pattern(&f.search);
        let matches = lower(people::name)
            .like(pattern.clone())
            .escape('\\')
            .or(people::email.like(pattern.clone()).escape('\\'))
            .or(lower(people::manager).like(pattern).escape('\\'));
        filter = Box::new(filter.and(matches));
    }
    filter
}

pub fn count(conn: &mut DbConnection, org: &OrgId, f: &ListFilter) -> QueryResult<i64> {
    people::table.filter(filter(org, f)).count().get_result(conn)
}

/// One page of people by name.
pub fn page(conn: &mut DbConnection, org: &OrgId, f: &ListFilter, limit: i64, offset: i64) -> QueryResult<Vec<Person>> {
    people::table
        .filter(filter(org, f))
        .order((people::name.asc(), people::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(Person::as_select())
        .load(conn)
}

/// Every person of the organization by name (the CSV export), active ones first.
pub fn all(conn: &mut DbConnection, org: &OrgId) -> QueryResult<Vec<Person>> {
    people::table
        .filter(people::org_id.eq(org))
        .order((people::deactivated_at.is_not_null(), people::name.asc(), people::id.asc()))
        .select(Person::as_select())
        .load(conn)
}

/// The organization's departments (the filter's choices).
pub fn departments(conn: &mut DbConnection, org: &OrgId) -> QueryResult<Vec<String>> {
    people::table
        .filter(people::org_id.eq(org))
        .filter(people::department.ne(""))
        .select(people::department)
        .distinct()
        .order(people::department)
        .load(conn)
}

pub fn find(conn: &mut DbConnection, org: &OrgId, id: &str) -> QueryResult<Option<Person>> {
    people::table
        .filter(people::org_id.eq(org))
        .filter(people::id.eq(id))
        .select(Person::as_select())
        .first(conn)
        .optional()
}

/// Another person of the organization has this email.
pub fn email_taken(conn: &mut DbConnection, org: &OrgId, email: &str, except: Option<&PersonId>) -> QueryResult<bool> {
    let except = except.map(|id| id.to_string()).unwrap_or_default();
    let query =
        people::table.filter(people::org_id.eq(org)).filter(people::email.eq(email)).filter(people::id.ne(except));
    diesel::select(diesel::dsl::exists(query)).get_result(conn)
}

/// The ids of the organization's people with these (lower-case) emails: one statement.
pub fn ids_by_email(
    conn: &mut DbConnection,
    org: &OrgId,
    emails: Vec<String>,
) -> QueryResult<HashMap<String, PersonId>> {
    let rows: Vec<(String, PersonId)> = people::table
        .filter(people::org_id.eq(org))
        .filter(people::email.eq_any(emails))
        .select((people::email, people::id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The members of the organization with these (lower-case) emails, by email: who a person is as a user.
pub fn members_by_email(
    conn: &mut DbConnection,
    org: &OrgId,
    emails: Vec<String>,
) -> QueryResult<HashMap<String, UserId>> {
    let rows: Vec<(String, UserId)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org))
        .filter(users::email.eq_any(emails))
        .select((users::email, users::id))
        .load(conn)?;
    Ok(rows.into_iter().map(|(email, id)| (email.to_lowercase(), id)).collect())
}

pub fn insert(
    conn: &mut DbConnection,
    org: &OrgId,
    p: &PersonInput,
    user: Option<&UserId>,
    now: NaiveDateTime,
) -> QueryResult<PersonId> {
    let id = PersonId::new();
    insert_many(conn, org, &[(id.clone(), p, user)], now)?;
    Ok(id)
}

/// People at most this many to an `INSERT` (10 values a row: far under both backends' parameter limits).
const PEOPLE_PER_INSERT: usize = 500;

/// Adds people (with their ids and member links) in a few statements, not one per person (a CSV import).
pub fn insert_many(
    conn: &mut DbConnection,
    org: &OrgId,
    new: &[(PersonId, &PersonInput, Option<&UserId>)],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut written = 0;
    for chunk in new.chunks(PEOPLE_PER_INSERT) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(id, p, user)| {
                (
                    people::id.eq(id),
                    people::org_id.eq(org),
                    people::name.eq(&p.name),
                    people::email.eq(&p.email),
                    people::department.eq(&p.department),
                    people::manager.eq(&p.manager),
                    people::start_on.eq(p.start_on),
                    people::user_id.eq(*user),
                    people::created_at.eq(now),
                    people::updated_at.eq(now),
                )
            })
            .collect();
        written += crate::batch_insert!(conn, people::table, &rows)?;
    }
    Ok(written)
}

pub fn update(
    conn: &mut DbConnection,
    org: &OrgId,
    id: &PersonId,
    p: &PersonInput,
    user: Option<&UserId>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(people::table.filter(people::org_id.eq(org)).filter(people::id.eq(id)))
        .set((
            people::name.eq(&p.name),
            people::email.eq(&p.email),
            people::department.eq(&p.department),
            people::manager.eq(&p.manager),
            people::start_on.eq(p.start_on),
            people::user_id.eq(user),
            people::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_active(
    conn: &mut DbConnection,
    org: &OrgId,
    id: &PersonId,
    active: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(people::table.filter(people::org_id.eq(org)).filter(people::id.eq(id)))
        .set((people::deactivated_at.eq((!active).then_some(now)), people::updated_at.eq(now)))
        .execute(conn)
}
