//! Merging a duplicate into another ticket of the same organization (its conversation, files, watchers and
//! email thread move; the merged ticket is closed and points to the survivor), and removing a relation.

use diesel::prelude::*;

use super::conversation::{self, EventKind, NewEvent};
use super::models::{Ticket, TicketStatus};
use super::service::{Author, AuthorKind, DeskError};
use crate::audit::{self, Action, Target};
use crate::db::DbConnection;
use crate::schema::{ticket_attachments, ticket_events, ticket_links, ticket_message_ids, ticket_watchers, tickets};

fn event<'a>(author: &'a Author, name: &'a str, kind: EventKind, details: &'a str) -> NewEvent<'a> {
    let user = match &author.kind {
        AuthorKind::Staff(id) => Some(id),
        _ => None,
    };
    NewEvent {
        kind,
        internal: false,
        author_user_id: user,
        author_contact_id: None,
        author_label: name,
        body: "",
        details,
    }
}

/// Merges `source` into `target` (both of one organization, checked by the caller's lookups).
pub fn merge(conn: &mut DbConnection, source: &Ticket, target: &Ticket, author: &Author) -> Result<(), DeskError> {
    if source.org_id != target.org_id || source.id == target.id {
        return Err(DeskError::Refused("Choose another ticket of this organization.".into()));
    }
    if source.is_merged() {
        return Err(DeskError::Refused(format!("#{} is already merged into another ticket.", source.number)));
    }
    if target.is_merged() {
        return Err(DeskError::Refused(format!(
            "#{} was merged into another ticket; merge into that one.",
            target.number
        )));
    }
    let (org, now) = (&source.org_id, author.at());
    diesel::update(
        ticket_events::table.filter(ticket_events::org_id.eq(org)).filter(ticket_events::ticket_id.eq(&source.id)),
    )
    .set(ticket_events::ticket_id.eq(&target.id))
    .execute(conn)?;
    diesel::update(
        ticket_attachments::table
            .filter(ticket_attachments::org_id.eq(org))
            .filter(ticket_attachments::ticket_id.eq(&source.id)),
    )
    .set(ticket_attachments::ticket_id.eq(&target.id))
    .execute(conn)?;
    diesel::update(
        ticket_message_ids::table
            .filter(ticket_message_ids::org_id.eq(org))
            .filter(ticket_message_ids::ticket_id.eq(&source.id)),
    )
    .set(ticket_message_ids::ticket_id.eq(&target.id))
    .execute(conn)?;
    move_watchers(conn, source, target)?;
    diesel::update(tickets::table.filter(tickets::org_id.eq(org)).filter(tickets::id.eq(&source.id)))
        .set((
            tickets::merged_into_ticket_id.eq(Some(&target.id)),
            tickets::status.eq(TicketStatus::Closed),
            tickets::unresolved.eq(false),
            tickets::closed_at.eq(Some(now)),
            tickets::resolved_at.eq(source.resolved_at.or(Some(now))),
            tickets::close_due_at.eq(None::<chrono::NaiveDateTime>),
            tickets::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(tickets::table.filter(tickets::org_id.eq(org)).filter(tickets::id.eq(&target.id)))
        .set(tickets::updated_at.eq(now))
        .execute(conn)?;
    let name = author.name();
    let into = format!("merged into #{}", target.number);
    conversation::insert(conn, org, &source.id, &event(author, &name, EventKind::Merge, &into), now)?;
    let from = format!("#{} ({}) merged into this ticket", source.number, source.subject);
    conversation::insert(conn, org, &target.id, &event(author, &name, EventKind::Merge, &from), now)?;
    let org_row = crate::orgs::find_org(conn, org)?.ok_or(diesel::result::Error::NotFound)?;
    crate::psa::sla_policy::sync(
        conn,
        &org_row,
        &source.id,
        now,
        crate::psa::sla_policy::SlaChange::Status { from: source.status },
    )?;
    let label = format!("#{} {}", source.number, source.subject);
    audit::record(
        conn,
        &author.actor,
        Some(org),
        Action::TicketMerged,
        Target::new("ticket", &source.id, &label).details(format!("into #{}", target.number)),
    )?;
    Ok(())
}

/// The source's watchers watch the target (once each); the source keeps none.
fn move_watchers(conn: &mut DbConnection, source: &Ticket, target: &Ticket) -> QueryResult<()> {
    type Watching = (String, Option<String>, Option<String>);
    let of = |conn: &mut DbConnection, ticket: &Ticket| -> QueryResult<Vec<Watching>> {
        ticket_watchers::table
            .filter(ticket_watchers::org_id.eq(&ticket.org_id))
            .filter(ticket_watchers::ticket_id.eq(&ticket.id))
            .select((ticket_watchers::id, ticket_watchers::user_id, ticket_watchers::contact_id))
            .load(conn)
    };
    let kept = of(conn, target)?;
    for (id, user, contact) in of(conn, source)? {
        let duplicate =
            kept.iter().any(|(_, u, c)| (user.is_some() && *u == user) || (contact.is_some() && *c == contact));
        let row = ticket_watchers::table
            .filter(ticket_watchers::org_id.eq(&source.org_id))
            .filter(ticket_watchers::id.eq(&id));
        if duplicate {
            diesel::delete(row).execute(conn)?;
        } else {
            diesel::update(row).set(ticket_watchers::ticket_id.eq(&target.id)).execute(conn)?;
        }
    }
    Ok(())
}

/// Removes the relation between two tickets; false when they were not related.
pub fn unlink(conn: &mut DbConnection, a: &Ticket, b: &Ticket, author: &Author) -> Result<bool, DeskError> {
    let (first, second) = if a.id < b.id { (a, b) } else { (b, a) };
    let removed = diesel::delete(
        ticket_links::table
            .filter(ticket_links::org_id.eq(&a.org_id))
            .filter(ticket_links::ticket_id.eq(&first.id))
            .filter(ticket_links::related_ticket_id.eq(&second.id)),
    )
    .execute(conn)?;
    if removed == 0 {
        return Ok(false);
    }
    let (name, now) = (author.name(), author.at());
    for (this, other) in [(a, b), (b, a)] {
        let details = format!("no longer related to #{}", other.number);
        let mut entry = event(author, &name, EventKind::Link, &details);
        entry.internal = true;
        conversation::insert(conn, &a.org_id, &this.id, &entry, now)?;
    }
    let label = format!("#{} {}", a.number, a.subject);
    audit::record(
        conn,
        &author.actor,
        Some(&a.org_id),
        Action::TicketUnlinked,
        Target::new("ticket", &a.id, &label).details(format!("#{} and #{}", a.number, b.number)),
    )?;
    Ok(true)
}
