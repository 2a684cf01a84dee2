//! Contact rows and their queries, always within one organization.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::ids::{ContactId, OrgId};
use crate::db::{DbConnection, MultiBackend, lower};
use crate::schema::contacts;
use crate::web::pagination::contains_pattern;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = contacts)]
pub struct Contact {
    pub id: ContactId,
    pub org_id: OrgId,
    pub name: String,
    pub email: Option<String>,
    pub email_domain: Option<String>,
    pub phone: String,
    pub title: String,
    pub is_primary: bool,
    pub is_billing: bool,
    pub is_technical: bool,
    pub notes: String,
    pub archived_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Contact {
    pub fn email_text(&self) -> &str {
        self.email.as_deref().unwrap_or("")
    }

    /// "Ann Lee <ann@acme.test>", or the name alone.
    pub fn label(&self) -> String {
        match &self.email {
            Some(email) => format!("{} <{email}>", self.name),
            None => self.name.clone(),
        }
    }

    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    /// "Primary, Billing" from the flags.
    pub fn roles(&self) -> String {
        let flags = [(self.is_primary, "Primary"), (self.is_billing, "Billing"), (self.is_technical, "Technical")];
        flags.iter().filter(|(on, _)| *on).map(|(_, label)| *label).collect::<Vec<_>>().join(", ")
    }
}

/// A contact's validated details.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactInput {
    pub name: String,
    pub email: Option<String>,
    pub phone: String,
    pub title: String,
    pub is_primary: bool,
    pub is_billing: bool,
    pub is_technical: bool,
    pub notes: String,
}

fn domain_of(email: &Option<String>) -> Option<String> {
    email.as_deref().and_then(|e| e.rsplit_once('@')).map(|(_, domain)| domain.to_string())
}

/// A contact of the organization by id, or None (another organization's ids are not found).
pub fn find(conn: &mut DbConnection, org: &OrgId, id: &str) -> QueryResult<Option<Contact>> {
    contacts::table
        .filter(contacts::org_id.eq(org))
        .filter(contacts::id.eq(id))
        .select(Contact::as_select())
        .first(conn)
        .optional()
}

/// The contact of the organization with this (lower-cased) email.
pub fn find_by_email(conn: &mut DbConnection, org: &OrgId, email: &str) -> QueryResult<Option<Contact>> {
    contacts::table
        .filter(contacts::org_id.eq(org))
        .filter(contacts::email.eq(email.trim().to_lowercase()))
        .select(Contact::as_select())
        .first(conn)
        .optional()
}

/// The ids of `org`'s contacts with these emails (an import's file), by lowercased email: one statement.
pub fn ids_by_email(
    conn: &mut DbConnection,
    org: &OrgId,
    emails: Vec<String>,
) -> QueryResult<std::collections::HashMap<String, ContactId>> {
    let emails: Vec<String> = emails.into_iter().map(|e| e.trim().to_lowercase()).collect();
    let rows: Vec<(Option<String>, ContactId)> = contacts::table
        .filter(contacts::org_id.eq(org))
        .filter(contacts::email.eq_any(emails))
        .select((contacts::email, contacts::id))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(email, id)| Some((email?, id))).collect())
}

/// Contacts of several organizations by id (a page of tickets' requesters): one statement.
pub fn by_ids(conn: &mut DbConnection, ids: Vec<ContactId>) -> QueryResult<Vec<Contact>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    contacts::table.filter(contacts::id.eq_any(ids)).select(Contact::as_select()).load(conn)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactStatus {
    Active,
    Archived,
}

type Filter = Box<dyn BoxableExpression<contacts::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

fn filter(org: &OrgId, status: ContactStatus, search: &str) -> Filter {
    let mut filter: Filter = Box::new(contacts::org_id.eq(org.clone()));
    filter = match status {
        ContactStatus::Active => Box::new(filter.and(contacts::archived_at.is_null())),
        ContactStatus::Archived => Box::new(filter.and(contacts::archived_at.is_not_null())),
    };
    if !search.is_empty() {
        let pattern = contains_pattern(search);
        let matches = lower(contacts::name)
            .like(pattern.clone())
            .escape('\\')
            .or(contacts::email.assume_not_null().like(pattern.clone()).escape('\\'))
            .or(lower(contacts::phone).like(pattern).escape('\\'));
        filter = Box::new(filter.and(matches));
    }
    filter
}

pub fn count(conn: &mut DbConnection, org: &OrgId, status: ContactStatus, search: &str) -> QueryResult<i64> {
    contacts::table.filter(filter(org, status, search)).count().get_result(conn)
}

/// One page of contacts by name.
pub fn page(
    conn: &mut DbConnection,
    org: &OrgId,
    status: ContactStatus,
    search: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Contact>> {
    contacts::table
        .filter(filter(org, status, search))
        .order((contacts::name.asc(), contacts::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(Contact::as_select())
        .load(conn)
}

/// Active contacts by name, at most `limit` (pickers).
pub fn active(conn: &mut DbConnection, org: &OrgId, limit: i64) -> QueryResult<Vec<Contact>> {
    page(conn, org, ContactStatus::Active, "", limit, 0)
}

/// Another contact of the organization has this email.
pub fn email_taken(conn: &mut DbConnection, org: &OrgId, email: &str, except: Option<&ContactId>) -> QueryResult<bool> {
    let except = except.map(|id| id.to_string()).unwrap_or_default();
    let query = contacts::table
        .filter(contacts::org_id.eq(org))
        .filter(contacts::email.eq(email))
        .filter(contacts::id.ne(except));
    diesel::select(diesel::dsl::exists(query)).get_result(conn)
}

pub fn insert(conn: &mut DbConnection, org: &OrgId, c: &ContactInput, now: NaiveDateTime) -> QueryResult<ContactId> {
    let id = ContactId::new();
    insert_many(conn, org, &[(id.clone(), c)], now)?;
    Ok(id)
}

/// Contacts at most this many to an `INSERT` (13 values a row: far under both backends' parameter limits).
const CONTACTS_PER_INSERT: usize = 500;

/// Adds contacts in a few statements, not one per contact (a CSV import).
pub fn insert_many(
    conn: &mut DbConnection,
    org: &OrgId,
    new: &[(ContactId, &ContactInput)],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut written = 0;
    for chunk in new.chunks(CONTACTS_PER_INSERT) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(id, c)| {
                (
                    contacts::id.eq(id),
                    contacts::org_id.eq(org),
                    contacts::name.eq(&c.name),
                    contacts::email.eq(&c.email),
                    contacts::email_domain.eq(domain_of(&c.email)),
                    contacts::phone.eq(&c.phone),
                    contacts::title.eq(&c.title),
                    contacts::is_primary.eq(c.is_primary),
                    contacts::is_billing.eq(c.is_billing),
                    contacts::is_technical.eq(c.is_technical),
                    contacts::notes.eq(&c.notes),
                    contacts::created_at.eq(now),
                    contacts::updated_at.eq(now),
                )
            })
            .collect();
        written += crate::batch_insert!(conn, contacts::table, &rows)?;
    }
    Ok(written)
}

pub fn update(
    conn: &mut DbConnection,
    org: &OrgId,
    id: &ContactId,
    c: &ContactInput,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(contacts::table.filter(contacts::org_id.eq(org)).filter(contacts::id.eq(id)))
        .set((
            contacts::name.eq(&c.name),
            contacts::email.eq(&c.email),
            contacts::email_domain.eq(domain_of(&c.email)),
            contacts::phone.eq(&c.phone),
            contacts::title.eq(&c.title),
            contacts::is_primary.eq(c.is_primary),
            contacts::is_billing.eq(c.is_billing),
            contacts::is_technical.eq(c.is_technical),
            contacts::notes.eq(&c.notes),
            contacts::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_archived(
    conn: &mut DbConnection,
    org: &OrgId,
    id: &ContactId,
    archived: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(contacts::table.filter(contacts::org_id.eq(org)).filter(contacts::id.eq(id)))
        .set((contacts::archived_at.eq(archived.then_some(now)), contacts::updated_at.eq(now)))
        .execute(conn)
}
