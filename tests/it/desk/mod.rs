//! The service desk: contacts, tickets (numbers, the service, the ticket page, queues), SLA.

mod asset_links;
pub mod assets;
mod contacts;
mod cost;
mod inventory_evidence;
pub mod kb;
mod numbers;
mod recurring;
mod renewals;
mod sla;
mod tickets;

use actix_web::test;
use diesel::prelude::*;

use crate::support::{Client, Resp, start_time};
use palisade::audit::Actor;
use palisade::db::DbConnection;
use palisade::db::ids::{ContactId, OrgId, TicketId, UserId};
use palisade::psa::contacts::models::{self as contact_rows, ContactInput};
use palisade::psa::tickets::service::{self, Author, DeskEnv, NewTicket, Reply};

pub fn env() -> DeskEnv {
    DeskEnv { base_url: "http://localhost".into(), reply_domain: None }
}

/// A contact of `org` with an email.
pub fn contact(conn: &mut DbConnection, org: &OrgId, name: &str, email: &str) -> ContactId {
    let input = ContactInput { name: name.into(), email: Some(email.into()), ..Default::default() };
    contact_rows::insert(conn, org, &input, start_time()).unwrap()
}

/// A staff actor at the start time.
pub fn staff(user: &UserId, label: &str) -> Author {
    Author::staff(&Actor { user_id: Some(user.clone()), ..Actor::system(label, start_time()) })
}

/// Opens a ticket through the service, as staff, for `requester`.
pub fn ticket(
    conn: &mut DbConnection,
    org: &OrgId,
    by: &UserId,
    subject: &str,
    requester: Option<&ContactId>,
) -> (TicketId, i64) {
    let mut new = NewTicket::new(subject, "Details of the problem.");
    new.requester = requester.cloned();
    let opened = palisade::db::write_transaction(conn, |conn| {
        service::open_ticket(conn, &env(), org, &staff(by, "Staff <staff@x.test>"), new)
    })
    .unwrap();
    (opened.id, opened.number)
}

/// The ids the access matrix calls the service desk's routes with, made in `org`: a contact, tickets #1 and #2
/// (related), a watcher and an attachment row on #1.
pub struct MatrixFixture {
    pub template: String,
    pub canned: String,
    pub recurring: String,
    pub policy: String,
    pub rule: String,
    pub contact: ContactId,
    pub ticket: TicketId,
    pub watcher: String,
    pub attachment: String,
}

pub fn matrix_fixture(conn: &mut DbConnection, org: &OrgId, by: &UserId) -> MatrixFixture {
    use palisade::schema::{ticket_attachments, ticket_watchers};
    let policy = policy(conn, org, "UTC", &[("hours_mon", "09:00-17:00"), ("high_resolution", "4h"), ("enabled", "1")]);
    rule(conn, org, &policy, "resolution", 75, "notify_assignee");
    let rule = {
        use palisade::schema::sla_escalation_rules as r;
        r::table.filter(r::policy_id.eq(&policy)).select(r::id).first::<String>(conn).unwrap()
    };
    let contact = contact(conn, org, "Fixture Requester", "requester@fixture.test");
    let (template, canned, recurring) = template_canned_recurring(conn, org, "Fixture");
    let (first, _) = ticket(conn, org, by, "Fixture ticket one", Some(&contact));
    ticket(conn, org, by, "Fixture ticket two", Some(&contact));
    let watcher = palisade::db::new_id();
    diesel::insert_into(ticket_watchers::table)
        .values((
            ticket_watchers::id.eq(&watcher),
            ticket_watchers::org_id.eq(org),
            ticket_watchers::ticket_id.eq(&first),
            ticket_watchers::contact_id.eq(Some(&contact)),
            ticket_watchers::created_at.eq(start_time()),
        ))
        .execute(conn)
        .unwrap();
    let attachment = palisade::db::new_id();
    diesel::insert_into(ticket_attachments::table)
        .values((
            ticket_attachments::id.eq(&attachment),
            ticket_attachments::org_id.eq(org),
            ticket_attachments::ticket_id.eq(&first),
            ticket_attachments::internal.eq(false),
            ticket_attachments::filename.eq("notes.txt"),
            ticket_attachments::storage_key.eq("fixture/missing"),
            ticket_attachments::size.eq(5i64),
            ticket_attachments::sha256.eq(""),
            ticket_attachments::content_type.eq("text/plain; charset=utf-8"),
            ticket_attachments::uploaded_by_label.eq("Fixture"),
            ticket_attachments::created_at.eq(start_time()),
        ))
        .execute(conn)
        .unwrap();
    MatrixFixture { template, canned, recurring, policy, rule, contact, ticket: first, watcher, attachment }
}

/// Posts a multipart form (text fields, then files) with the page's tokens, as a browser sends an upload form.
pub async fn post_multipart<S, B>(
    c: &mut Client<S>,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let boundary = "----palisadeTestBoundary7MA4YWxk";
    let mut body: Vec<u8> = Vec::new();
    let text = |name: &str, value: &str, body: &mut Vec<u8>| {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    };
    let (csrf, org) = (c.csrf.clone().unwrap_or_default(), c.org.clone().unwrap_or_default());
    text("_csrf", &csrf, &mut body);
    text("_org", &org, &mut body);
    for (name, value) in fields {
        text(name, value, &mut body);
    }
    for (name, filename, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = test::TestRequest::post()
        .uri(path)
        .insert_header(("content-type", format!("multipart/form-data; boundary={boundary}")))
        .set_payload(body);
    c.send(req).await
}

/// A public reply through the service (a requester's message).
pub fn customer_reply(
    conn: &mut DbConnection,
    org: &OrgId,
    ticket: &TicketId,
    contact: &ContactId,
    body: &str,
    at: chrono::NaiveDateTime,
) -> service::Landed {
    let c = contact_rows::find(conn, org, contact).unwrap().unwrap();
    let reply = Reply { body: body.into(), ..Default::default() };
    palisade::db::write_transaction(conn, |conn| {
        service::add_reply(conn, &env(), org, ticket, &Author::contact(&c, at), reply)
    })
    .unwrap()
}

/// Raw delivered emails, parsed (headers included), after delivering the outbox.
pub async fn delivered(app: &crate::support::TestApp) -> Vec<crate::mail::ReadMessage> {
    app.run_pending_jobs().await;
    app.state.mailer.delivered().await.iter().map(|raw| crate::mail::read_message(raw.as_bytes())).collect()
}

/// A staff author at `at`.
pub fn staff_at(user: &UserId, at: chrono::NaiveDateTime) -> Author {
    Author::staff(&Actor { user_id: Some(user.clone()), ..Actor::system("Staff <staff@x.test>", at) })
}

/// Opens a ticket at `at` (the app's clock time), for `requester` when given.
pub fn ticket_at(
    conn: &mut DbConnection,
    org: &OrgId,
    by: &UserId,
    subject: &str,
    at: chrono::NaiveDateTime,
    requester: Option<&ContactId>,
) -> (TicketId, i64) {
    let mut new = NewTicket::new(subject, "Details.");
    new.requester = requester.cloned();
    let opened =
        palisade::db::write_transaction(conn, |conn| service::open_ticket(conn, &env(), org, &staff_at(by, at), new))
            .unwrap();
    (opened.id, opened.number)
}

/// A ticket template of `org` named after `label`, a canned response and a weekly recurring ticket from the
/// template (due in 400 days, so no scheduler pass opens it): (template, canned, recurring) ids.
pub fn template_canned_recurring(conn: &mut DbConnection, org: &OrgId, label: &str) -> (String, String, String) {
    let (template, canned, recurring) = (palisade::db::new_id(), palisade::db::new_id(), palisade::db::new_id());
    {
        use palisade::schema::{canned_responses as c, recurring_tickets as r, ticket_templates as t};
        let now = start_time();
        diesel::insert_into(t::table)
            .values((
                t::id.eq(&template),
                t::org_id.eq(org),
                t::name.eq(format!("{label} template")),
                t::subject.eq("Patch"),
                t::priority.eq("low"),
                t::ticket_type.eq("change"),
                t::created_at.eq(now),
                t::updated_at.eq(now),
            ))
            .execute(conn)
            .unwrap();
        diesel::insert_into(c::table)
            .values((
                c::id.eq(&canned),
                c::org_id.eq(org),
                c::title.eq(format!("{label} canned")),
                c::body.eq("Hello"),
                c::created_at.eq(now),
                c::updated_at.eq(now),
            ))
            .execute(conn)
            .unwrap();
        diesel::insert_into(r::table)
            .values((
                r::id.eq(&recurring),
                r::org_id.eq(org),
                r::template_id.eq(&template),
                r::frequency.eq("weekly"),
                r::first_run_at.eq(now + chrono::Duration::days(400)),
                r::next_run_at.eq(now + chrono::Duration::days(400)),
                r::active.eq(true),
                r::created_at.eq(now),
                r::updated_at.eq(now),
            ))
            .execute(conn)
            .unwrap();
    }
    (template, canned, recurring)
}

/// An SLA policy of `org` (default, on) from the settings form's fields.
pub fn policy(conn: &mut DbConnection, org: &OrgId, timezone: &str, fields: &[(&str, &str)]) -> String {
    use palisade::psa::sla_policy::forms::PolicyForm;
    use palisade::schema::sla_policies;
    let mut pairs: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    pairs.push(("name".into(), "Office".into()));
    pairs.push(("timezone".into(), timezone.into()));
    let mut errors = palisade::web::forms::FieldErrors::default();
    let valid = PolicyForm::from_pairs(&pairs).validate(&mut errors).expect("a valid policy");
    let id = palisade::db::new_id();
    diesel::insert_into(sla_policies::table)
        .values((
            sla_policies::id.eq(&id),
            sla_policies::org_id.eq(org),
            sla_policies::name.eq(&valid.name),
            sla_policies::timezone.eq(&valid.timezone),
            sla_policies::calendar.eq(serde_json::to_string(&valid.spec).unwrap()),
            sla_policies::targets.eq(serde_json::to_string(&valid.targets).unwrap()),
            sla_policies::pause_statuses.eq(palisade::psa::sla_policy::models::statuses_text(&valid.pause_statuses)),
            sla_policies::is_default.eq(true),
            sla_policies::enabled.eq(true),
            sla_policies::created_at.eq(start_time()),
            sla_policies::updated_at.eq(start_time()),
        ))
        .execute(conn)
        .unwrap();
    id
}

/// An escalation rule of a policy.
pub fn rule(conn: &mut DbConnection, org: &OrgId, policy: &str, target: &str, percent: i32, action: &str) {
    use palisade::schema::sla_escalation_rules as r;
    diesel::insert_into(r::table)
        .values((
            r::id.eq(palisade::db::new_id()),
            r::org_id.eq(org),
            r::policy_id.eq(policy),
            r::target.eq(target),
            r::threshold_percent.eq(percent),
            r::action.eq(action),
            r::created_at.eq(start_time()),
        ))
        .execute(conn)
        .unwrap();
}
