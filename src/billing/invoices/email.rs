//! Emailing an invoice to the client's billing contact, with the invoice attached as a self-contained HTML file
//! (it opens in any browser and prints with the same layout as the invoice page; no PDF dependency to keep up).
//! Emailing a draft marks it sent, in the same transaction as the outbox row and the activity entry.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use super::store::{self, Invoice, InvoiceStatus, Line, Reader};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{MspScope, session};
use crate::billing::profile::profile_of;
use crate::billing::settings::logo_data_uri;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::error::{AppError, AppResult};
use crate::mail::{MailAttachment, OutgoingMail, outbox};
use crate::orgs::find_org;
use crate::schema::contacts;
use crate::web::redirect;

#[derive(Template)]
#[template(path = "billing/invoice_attachment.html")]
struct Attachment<'a> {
    msp_name: &'a str,
    invoice: &'a Invoice,
    lines: &'a [Line],
    /// The MSP's logo as a `data:` URI: the attachment travels without the app.
    logo: Option<String>,
}

/// The client's first active billing contact with an email: (name, email).
fn billing_contact(conn: &mut DbConnection, client: &OrgId) -> QueryResult<Option<(String, String)>> {
    let row: Option<(String, Option<String>)> = contacts::table
        .filter(contacts::org_id.eq(client))
        .filter(contacts::is_billing.eq(true))
        .filter(contacts::archived_at.is_null())
        .filter(contacts::email.is_not_null())
        .order((contacts::name.asc(), contacts::id.asc()))
        .select((contacts::name, contacts::email))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(name, email)| email.map(|e| (name, e))))
}

/// POST /billing/invoices/{invoice_id}/email
pub async fn email(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (msp, id) = (scope.msp_id().clone(), path.into_inner());
    let back = format!("/billing/invoices/{id}");
    let lookup = id.clone();
    let (invoice, lines, msp_name, contact, profile) = state
        .db
        .run(move |conn| {
            let invoice = store::find(conn, &Reader::Msp(&msp), &lookup)?.ok_or(AppError::NotFound)?;
            let lines = store::lines_of(conn, &msp, &invoice.id)?;
            let msp_name = find_org(conn, &msp)?.ok_or(AppError::NotFound)?.name;
            let contact = billing_contact(conn, &invoice.client_org_id)?;
            Ok((invoice, lines, msp_name, contact, profile_of(conn, &msp)?))
        })
        .await?;
    if invoice.status == InvoiceStatus::Void {
        session::flash_error(&session, "A void invoice is not sent.");
        return Ok(redirect(&back));
    }
    let Some((name, address)) = contact else {
        let why = format!(
            "{} has no billing contact with an email: mark one of its contacts as Billing.",
            invoice.client_name
        );
        session::flash_error(&session, why);
        return Ok(redirect(&back));
    };
    let logo = logo_data_uri(&state, &profile).await;
    let html = Attachment { msp_name: &msp_name, invoice: &invoice, lines: &lines, logo }
        .render()
        .map_err(|e| AppError::internal_from("rendering the invoice attachment", e))?;
    let key = format!("invoices/{}/{}.html", scope.msp_id(), invoice.id);
    state
        .storage
        .put(&key, html.into())
        .await
        .map_err(|e| AppError::internal_from("storing the invoice attachment", e))?;
    let msp = scope.msp_id().clone();
    let to = address.clone();
    state
        .db
        .write(move |conn| {
            let text = format!(
                "Hello {name},\n\nPlease find attached invoice {} from {msp_name} for {} to {}: {} {} due.\n",
                invoice.label,
                invoice.period_start,
                invoice.period_end,
                invoice.total(),
                invoice.currency
            );
            let mut mail =
                OutgoingMail::new(&to, format!("Invoice {} from {msp_name}", invoice.label), text, String::new())
                    .for_org(&msp);
            mail.attachments.push(MailAttachment {
                filename: format!("{}.html", invoice.label),
                content_type: "text/html; charset=utf-8".into(),
                storage_key: key,
            });
            outbox::enqueue(conn, actor.at, &mail)?;
            if invoice.status == InvoiceStatus::Draft {
                store::change_status(
                    conn,
                    &msp,
                    &invoice.id,
                    &[InvoiceStatus::Draft],
                    InvoiceStatus::Sent,
                    None,
                    actor.at,
                )?;
            }
            let target = Target::new("invoice", &invoice.id, &invoice.label).details(format!("to {to}"));
            Ok(audit::record(conn, &actor, Some(&msp), Action::InvoiceEmailed, target)?)
        })
        .await?;
    session::flash_ok(&session, format!("Invoice emailed to {address}."));
    Ok(redirect(&back))
}
