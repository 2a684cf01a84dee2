//! Files attached to an article: uploaded through `storage` by the people who may edit it, downloaded as
//! attachments by anyone who may read it.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use diesel::prelude::*;

use super::handlers::log;
use super::models::{self, Article, Reader};
use crate::AppState;
use crate::audit::Action;
use crate::auth::{Scope, session};
use crate::db::DbConnection;
use crate::db::ids::ArticleAttachmentId;
use crate::error::{AppError, AppResult};
use crate::schema::kb_attachments;
use crate::storage::StoredFile;
use crate::storage::download::AttachmentFile;
use crate::storage::multipart::read_form;
use crate::web::change::Change;
use crate::web::redirect;

/// At most this many files per article.
const MAX_FILES: i64 = 20;

#[derive(Queryable, Clone, Debug)]
pub struct ArticleFile {
    pub id: ArticleAttachmentId,
    pub filename: String,
    pub size: i64,
}

impl ArticleFile {
    pub fn size_text(&self) -> String {
        match self.size {
            s if s < 1024 => format!("{s} B"),
            s if s < 1024 * 1024 => format!("{} KB", s / 1024),
            s => format!("{:.1} MB", s as f64 / (1024.0 * 1024.0)),
        }
    }
}

pub fn of_article(conn: &mut DbConnection, article: &Article) -> QueryResult<Vec<ArticleFile>> {
    kb_attachments::table
        .filter(kb_attachments::org_id.eq(&article.org_id))
        .filter(kb_attachments::article_id.eq(&article.id))
        .order((kb_attachments::created_at, kb_attachments::id))
        .limit(MAX_FILES)
        .select((kb_attachments::id, kb_attachments::filename, kb_attachments::size))
        .load(conn)
}

/// Attaches the uploaded files (field `files`) to an article the person may edit.
pub async fn upload(c: Change, path: web::Path<String>, payload: Multipart) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let reader = Reader::staff(&scope);
    let id = path.into_inner();
    let lookup = (reader.clone(), id.clone());
    let article =
        state.db.run(move |conn| models::find_visible(conn, &lookup.0, &lookup.1)?.ok_or(AppError::NotFound)).await?;
    if !models::can_edit(&scope, &article) {
        return Err(AppError::Forbidden);
    }
    let back = format!("/kb/{}", article.id);
    let form = match read_form(payload, &state.storage, &["org", article.org_id.as_str(), "kb"]).await {
        Ok(form) => form,
        Err(refused) => {
            session::flash_error(&session, refused.message);
            return Ok(redirect(&back));
        }
    };
    let files: Vec<(String, StoredFile)> =
        form.files_in("files").map(|f| (f.filename.clone(), f.stored.clone())).collect();
    if files.is_empty() {
        form.discard(&state.storage).await;
        session::flash_error(&session, "Choose a file to attach.");
        return Ok(redirect(&back));
    }
    let count = files.len();
    let outcome = state
        .db
        .write(move |conn| {
            let existing: i64 = kb_attachments::table
                .filter(kb_attachments::org_id.eq(&article.org_id))
                .filter(kb_attachments::article_id.eq(&article.id))
                .count()
                .get_result(conn)?;
            if existing + count as i64 > MAX_FILES {
                return Ok(Err(format!("An article keeps at most {MAX_FILES} files.")));
            }
            for (filename, stored) in &files {
                diesel::insert_into(kb_attachments::table)
                    .values((
                        kb_attachments::id.eq(ArticleAttachmentId::new()),
                        kb_attachments::org_id.eq(&article.org_id),
                        kb_attachments::article_id.eq(&article.id),
                        kb_attachments::filename.eq(filename),
                        kb_attachments::storage_key.eq(&stored.key),
                        kb_attachments::size.eq(stored.size as i64),
                        kb_attachments::sha256.eq(&stored.sha256),
                        kb_attachments::content_type.eq(&stored.content_type),
                        kb_attachments::uploaded_by_label.eq(&actor.label),
                        kb_attachments::created_at.eq(actor.at),
                    ))
                    .execute(conn)?;
                log(conn, &actor, &article, Action::ArticleFileAdded, filename)?;
            }
            Ok(Ok(()))
        })
        .await;
    match outcome {
        Ok(Ok(())) => session::flash_ok(
            &session,
            if count == 1 { "File attached.".into() } else { format!("{count} files attached.") },
        ),
        Ok(Err(message)) => {
            form.discard(&state.storage).await;
            session::flash_error(&session, message);
        }
        Err(e) => {
            form.discard(&state.storage).await;
            return Err(e);
        }
    }
    Ok(redirect(&back))
}

/// Downloads a file of an article the person may read.
pub async fn download(
    state: web::Data<AppState>,
    scope: Scope,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (article_id, file_id) = path.into_inner();
    let reader = Reader::staff(&scope);
    let file = state
        .db
        .run(move |conn| {
            let article = models::find_visible(conn, &reader, &article_id)?.ok_or(AppError::NotFound)?;
            let row: AttachmentFile = kb_attachments::table
                .filter(kb_attachments::org_id.eq(&article.org_id))
                .filter(kb_attachments::article_id.eq(&article.id))
                .filter(kb_attachments::id.eq(&file_id))
                .select(crate::file_columns!(kb_attachments))
                .first(conn)
                .optional()?
                .ok_or(AppError::NotFound)?;
            Ok(row)
        })
        .await?;
    file.serve(&state.storage).await
}
