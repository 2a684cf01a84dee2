//! The `outbox` table: writing an email (in the caller's transaction), claiming due rows, delivering them with
//! retries and exponential backoff, and what the administration page reads.

use actix_web::web;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::transport::AttachmentBytes;
use super::{MailAttachment, MailHeaders, OutgoingMail, SendError};
use crate::AppState;
use crate::db::ids::{MailId, OrgId};
use crate::db::{DbConnection, write_transaction};
use crate::error::AppError;
use crate::jobs::JobResult;
use crate::jobs::claim::lock_skip_locked;
use crate::schema::outbox;

crate::text_enum! {
    /// Where an email is: queued -> sending (claimed; `next_attempt_at` is then the end of the claim's lease) ->
    /// sent, or back to queued after a temporary failure, or failed after the last attempt.
    pub enum MailStatus {
        Queued = "queued",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
    }
}

impl MailStatus {
    /// What the Email page calls it.
    pub fn label(self) -> &'static str {
        match self {
            MailStatus::Queued => "Queued",
            MailStatus::Sending => "Sending",
            MailStatus::Sent => "Delivered",
            MailStatus::Failed => "Failed",
        }
    }
}

use MailStatus::{Failed, Queued, Sending, Sent};

/// Attempts before a row is marked failed: with the backoff below, about two hours of retries.
pub const MAX_ATTEMPTS: i32 = 8;
/// Rows claimed at once.
const BATCH: i64 = 50;
/// Batches one run delivers at most before letting the next run carry on.
const MAX_BATCHES_PER_RUN: usize = 20;
/// A claimed row goes back to the queue if its instance has not reported within this time.
const CLAIM_LEASE_MINUTES: i64 = 10;
/// Delivered rows are deleted after this many days, failed ones after `FAILED_KEPT_DAYS`.
const SENT_KEPT_DAYS: i64 = 30;
const FAILED_KEPT_DAYS: i64 = 90;

/// Writes an email into the outbox, due now. Call it inside the transaction of the change the email is about,
/// so that the email exists exactly when the change does. Returns the outbox row's id.
pub fn enqueue(conn: &mut DbConnection, now: NaiveDateTime, mail: &OutgoingMail) -> QueryResult<MailId> {
    let id = MailId::new();
    let headers = serde_json::to_string(&mail.headers).unwrap_or_else(|_| "{}".into());
    let attachments = serde_json::to_string(&mail.attachments).unwrap_or_else(|_| "[]".into());
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(&id),
            outbox::org_id.eq(mail.org_id.as_ref()),
            outbox::to_address.eq(&mail.to),
            outbox::subject.eq(&mail.subject),
            outbox::text_body.eq(&mail.text),
            outbox::html_body.eq(&mail.html),
            outbox::headers.eq(headers),
            outbox::attachments.eq(attachments),
            outbox::status.eq(Queued),
            outbox::next_attempt_at.eq(now),
            outbox::created_at.eq(now),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Rows one INSERT of `enqueue_many` writes (12 values each: well under either backend's parameter limit).
const ENQUEUE_CHUNK: usize = 500;

/// Writes many emails into the outbox, due now, a few hundred rows per INSERT: what a campaign to thousands of
/// people queues in its transaction without a statement per email.
pub fn enqueue_many(conn: &mut DbConnection, now: NaiveDateTime, mails: &[OutgoingMail]) -> QueryResult<usize> {
    for chunk in mails.chunks(ENQUEUE_CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|mail| {
                (
                    outbox::id.eq(MailId::new()),
                    outbox::org_id.eq(mail.org_id.clone()),
                    outbox::to_address.eq(mail.to.clone()),
                    outbox::subject.eq(mail.subject.clone()),
                    outbox::text_body.eq(mail.text.clone()),
                    outbox::html_body.eq(mail.html.clone()),
                    outbox::headers.eq(serde_json::to_string(&mail.headers).unwrap_or_else(|_| "{}".into())),
                    outbox::attachments.eq(serde_json::to_string(&mail.attachments).unwrap_or_else(|_| "[]".into())),
                    outbox::status.eq(Queued),
                    outbox::next_attempt_at.eq(now),
                    outbox::created_at.eq(now),
                    outbox::updated_at.eq(now),
                )
            })
            .collect();
        crate::batch_insert!(conn, outbox::table, &rows)?;
    }
    Ok(mails.len())
}

/// One outbox row.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: MailId,
    pub org_id: Option<OrgId>,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub headers: String,
    pub attachments: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: String,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl OutboxRow {
    /// The email as it was enqueued; an unreadable stored header or attachment list is a permanent failure.
    fn mail(&self) -> Result<OutgoingMail, SendError> {
        let headers: MailHeaders = serde_json::from_str(&self.headers)
            .map_err(|e| SendError::permanent(format!("stored headers unreadable: {e}")))?;
        let attachments: Vec<MailAttachment> = serde_json::from_str(&self.attachments)
            .map_err(|e| SendError::permanent(format!("stored attachment list unreadable: {e}")))?;
        Ok(OutgoingMail {
            to: self.to_address.clone(),
            subject: self.subject.clone(),
            text: self.text_body.clone(),
            html: self.html_body.clone(),
            org_id: self.org_id.clone(),
            headers,
            attachments,
        })
    }
}

/// Takes up to `limit` due rows for this caller: queued rows whose time has come, and rows another instance
/// claimed but never reported on (its lease passed). They become `sending` with a lease, in one transaction
/// whose select skips rows locked by a concurrent claim, so no row is ever taken twice.
pub fn claim_due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<OutboxRow>> {
    write_transaction(conn, |conn| {
        // The query is written inside the macro: each backend builds it with its own row type.
        let rows: Vec<OutboxRow> = lock_skip_locked!(
            conn,
            outbox::table
                .filter(outbox::status.eq_any([Queued, Sending]))
                .filter(outbox::next_attempt_at.le(now))
                .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
                .limit(limit)
                .select(OutboxRow::as_select())
        )?;
        if !rows.is_empty() {
            let ids: Vec<&MailId> = rows.iter().map(|r| &r.id).collect();
            diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
                .set((
                    outbox::status.eq(Sending),
                    outbox::next_attempt_at.eq(now + Duration::minutes(CLAIM_LEASE_MINUTES)),
                    outbox::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(rows)
    })
}

/// Delay before attempt `n + 1` after `n` failed attempts: 1, 2, 4, ... minutes, at most four hours.
pub fn backoff(failed_attempts: i32) -> Duration {
    let exponent = failed_attempts.clamp(1, 9) - 1;
    Duration::minutes(1i64 << exponent).min(Duration::hours(4))
}

/// A claimed row was delivered: its bodies are cleared (they may hold sign-in or invitation links).
pub fn mark_sent(conn: &mut DbConnection, id: &MailId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(outbox::table.filter(outbox::id.eq(id)).filter(outbox::status.eq(Sending)))
        .set((
            outbox::status.eq(Sent),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::sent_at.eq(now),
            outbox::next_attempt_at.eq(now),
            outbox::last_error.eq(""),
            outbox::text_body.eq(""),
            outbox::html_body.eq(""),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A claimed row was not delivered: back to the queue after the backoff, or failed for good. Returns true
/// when it failed for good.
pub fn mark_failed_attempt(
    conn: &mut DbConnection,
    row: &OutboxRow,
    now: NaiveDateTime,
    error: &SendError,
) -> QueryResult<bool> {
    let attempts = row.attempts + 1;
    let final_failure = error.permanent || attempts >= MAX_ATTEMPTS;
    let (status, next) = if final_failure { (Failed, now) } else { (Queued, now + backoff(attempts)) };
    let reason: String = error.reason.chars().take(2000).collect();
    diesel::update(outbox::table.filter(outbox::id.eq(&row.id)).filter(outbox::status.eq(Sending)))
        .set((
            outbox::status.eq(status),
            outbox::attempts.eq(attempts),
            outbox::next_attempt_at.eq(next),
            outbox::last_error.eq(reason),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(final_failure)
}

/// What one delivery run did.
#[derive(Default, Debug)]
struct Tally {
    delivered: usize,
    retrying: usize,
    failed: usize,
}

impl Tally {
    fn summary(&self) -> String {
        if self.delivered + self.retrying + self.failed == 0 {
            return "nothing due".into();
        }
        format!("{} delivered, {} to retry, {} failed", self.delivered, self.retrying, self.failed)
    }
}

/// The `mail.deliver` job: claims due rows batch by batch and delivers them.
pub async fn deliver_due(state: web::Data<AppState>) -> JobResult {
    let mut tally = Tally::default();
    for _ in 0..MAX_BATCHES_PER_RUN {
        let now = state.clock.now();
        let batch = state.db.run(move |conn| Ok(claim_due(conn, now, BATCH)?)).await?;
        if batch.is_empty() {
            break;
        }
        for row in batch {
            deliver_one(&state, row, &mut tally).await?;
        }
    }
    Ok(tally.summary())
}

async fn deliver_one(state: &web::Data<AppState>, row: OutboxRow, tally: &mut Tally) -> Result<(), AppError> {
    let outcome = match row.mail() {
        Ok(mail) => match read_attachments(state, &mail.attachments).await {
            Ok(files) => state.mailer.send(&mail, files).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let now = state.clock.now();
    match outcome {
        Ok(()) => {
            let id = row.id.clone();
            state.db.run(move |conn| Ok(mark_sent(conn, &id, now)?)).await?;
            tally.delivered += 1;
        }
        Err(error) => {
            tracing::warn!(outbox_id = %row.id, attempt = row.attempts + 1, error = %error.reason, "email not delivered");
            let failed = state.db.run(move |conn| Ok(mark_failed_attempt(conn, &row, now, &error)?)).await?;
            if failed { tally.failed += 1 } else { tally.retrying += 1 }
        }
    }
    Ok(())
}

async fn read_attachments(state: &AppState, attachments: &[MailAttachment]) -> Result<Vec<AttachmentBytes>, SendError> {
    let mut files = Vec::with_capacity(attachments.len());
    for attachment in attachments {
        let bytes = state.storage.get(&attachment.storage_key).await.map_err(|e| match e {
            crate::storage::StorageError::NotFound(_) => {
                SendError::permanent(format!("attachment {} is no longer stored", attachment.filename))
            }
            other => SendError::temporary(format!(
                "attachment {}: {}",
                attachment.filename,
                crate::error::error_chain(&other)
            )),
        })?;
        files.push(AttachmentBytes {
            filename: attachment.filename.clone(),
            content_type: attachment.content_type.clone(),
            bytes: bytes.to_vec(),
        });
    }
    Ok(files)
}

/// The `mail.purge` job: deletes delivered rows after 30 days and failed ones after 90.
pub async fn purge_old(state: web::Data<AppState>) -> JobResult {
    let now = state.clock.now();
    let removed = state
        .db
        .write(move |conn| {
            let sent = diesel::delete(
                outbox::table
                    .filter(outbox::status.eq(Sent))
                    .filter(outbox::created_at.lt(now - Duration::days(SENT_KEPT_DAYS))),
            )
            .execute(conn)?;
            let failed = diesel::delete(
                outbox::table
                    .filter(outbox::status.eq(Failed))
                    .filter(outbox::created_at.lt(now - Duration::days(FAILED_KEPT_DAYS))),
            )
            .execute(conn)?;
            Ok(sent + failed)
        })
        .await?;
    Ok(format!("{removed} old emails removed"))
}

/// Rows per status, for the administration page's tabs.
pub fn count_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(MailStatus, i64)>> {
    outbox::table.group_by(outbox::status).select((outbox::status, diesel::dsl::count_star())).load(conn)
}

/// One page of rows in a status, newest first.
pub fn page(conn: &mut DbConnection, status: MailStatus, offset: i64, limit: i64) -> QueryResult<Vec<OutboxRow>> {
    outbox::table
        .filter(outbox::status.eq(status))
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)
}

/// Puts a failed row back in the queue for a fresh series of attempts. None when there is no failed row with
/// that id (the id comes from a URL: it is only ever compared).
pub fn requeue_failed(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<Option<OutboxRow>> {
    let row: Option<OutboxRow> = outbox::table
        .filter(outbox::id.eq(id))
        .filter(outbox::status.eq(Failed))
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()?;
    if row.is_some() {
        diesel::update(outbox::table.filter(outbox::id.eq(id)).filter(outbox::status.eq(Failed)))
            .set((
                outbox::status.eq(Queued),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(now),
                outbox::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_four_hours() {
        let minutes: Vec<i64> = (1..=10).map(|n| backoff(n).num_minutes()).collect();
        assert_eq!(minutes, vec![1, 2, 4, 8, 16, 32, 64, 128, 240, 240]);
        let total: i64 = (1..MAX_ATTEMPTS).map(|n| backoff(n).num_minutes()).sum();
        assert_eq!(total, 127, "the last attempt comes about two hours after the first");
    }
}
