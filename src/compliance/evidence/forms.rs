//! Evidence forms: reading a submission (an upload form with its file, or a plain form for links and notes) and
//! validating it. A refused upload deletes what it stored, so no file outlives a form that saved nothing.

use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use super::models::{EvidenceKind, EvidenceSource};
use crate::AppState;
use crate::db::Day;
use crate::db::ids::OrgId;
use crate::storage::multipart::{self, UploadedFile};
use crate::web::forms::{self, FieldErrors};

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 20_000;
pub const MAX_URL: usize = 2_000;
/// Largest plain (urlencoded) form accepted here.
const MAX_PLAIN_FORM: usize = 256 * 1024;

/// A read submission: its text fields and the file it carried, if any.
pub struct Submission {
    pub fields: Vec<(String, String)>,
    pub file: Option<UploadedFile>,
}

impl Submission {
    pub fn get(&self, name: &str) -> &str {
        forms::value(&self.fields, name)
    }

    /// Deletes the stored file (the submission was refused or its transaction failed).
    pub async fn discard(&mut self, state: &AppState) {
        if let Some(file) = self.file.take() {
            multipart::UploadForm { fields: Vec::new(), files: vec![file] }.discard(&state.storage).await;
        }
    }
}

/// Reads an evidence form: `multipart/form-data` (its file goes to storage under the organization's evidence,
/// over the upload limit it is refused while it arrives and nothing is kept) or urlencoded. A refusal comes back
/// with the text fields read and the message for the file field.
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    org_id: &OrgId,
) -> Result<Submission, (Vec<(String, String)>, FieldErrors)> {
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        let form = actix_multipart::Multipart::new(req.headers(), payload);
        return match multipart::read_form(form, &state.storage, &["org", org_id, "evidence"]).await {
            Ok(mut form) => {
                let mut files = std::mem::take(&mut form.files);
                // One file per form: any extra is not kept.
                let file = (!files.is_empty()).then(|| files.remove(0));
                multipart::UploadForm { fields: Vec::new(), files }.discard(&state.storage).await;
                Ok(Submission { fields: form.fields, file })
            }
            Err(refused) => {
                let mut errors = FieldErrors::default();
                errors.add(if refused.field.is_empty() { "file" } else { field_name(&refused.field) }, refused.message);
                Err((refused.fields, errors))
            }
        };
    }
    let mut body = web::BytesMut::new();
    let mut payload = payload;
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Err((Vec::new(), single("title", "The form could not be read. Try again.")));
        };
        if body.len() + chunk.len() > MAX_PLAIN_FORM {
            return Err((Vec::new(), single("body", "The form is too large.")));
        }
        body.extend_from_slice(&chunk);
    }
    match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
        Ok(fields) => Ok(Submission { fields, file: None }),
        Err(_) => Err((Vec::new(), single("title", "The form could not be read. Try again."))),
    }
}

fn single(field: &'static str, message: &str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    errors
}

/// The static name of a form field a refusal points at (FieldErrors keys are static).
fn field_name(field: &str) -> &'static str {
    match field {
        "title" => "title",
        "body" => "body",
        _ => "file",
    }
}

/// The evidence form as shown (blank, as stored, or as submitted).
#[derive(Clone, Debug, Default)]
pub struct EvidenceForm {
    pub title: String,
    pub source: String,
    pub kind: String,
    pub url: String,
    pub body: String,
    pub effective_on: String,
    pub valid_until: String,
    pub controls: Vec<String>,
    /// An approver's comment.
    pub comment: String,
}

impl EvidenceForm {
    pub fn from_fields(fields: &[(String, String)]) -> EvidenceForm {
        let get = |name: &str| forms::value(fields, name).to_string();
        EvidenceForm {
            title: get("title"),
            source: get("source"),
            kind: get("kind"),
            url: get("url"),
            body: get("body"),
            effective_on: get("effective_on"),
            valid_until: get("valid_until"),
            controls: forms::values(fields, "controls"),
            comment: get("comment"),
        }
    }

    /// The submitted fields over these values (see `ControlForm::overlay`).
    pub fn overlay(&mut self, pairs: &[(String, String)]) {
        for (name, value) in pairs {
            let field = match name.as_str() {
                "title" => &mut self.title,
                "kind" => &mut self.kind,
                "url" => &mut self.url,
                "body" => &mut self.body,
                "effective_on" => &mut self.effective_on,
                "valid_until" => &mut self.valid_until,
                "comment" => &mut self.comment,
                _ => continue,
            };
            *field = value.clone();
        }
    }

    pub fn has_control(&self, id: &str) -> bool {
        self.controls.iter().any(|c| c == id)
    }
}

/// What an evidence item says about itself, validated.
#[derive(Clone, Debug)]
pub struct Described {
    pub title: String,
    pub kind: EvidenceKind,
    pub url: String,
    pub body: String,
    pub effective_on: Day,
    pub valid_until: Day,
}

/// Validates the description of an item of `source` (the url for links, the text for notes). The valid-until
/// date defaults to the effective date plus the kind's usual validity.
pub fn describe(
    form: &EvidenceForm,
    source: EvidenceSource,
    today: Day,
    errors: &mut FieldErrors,
) -> Option<Described> {
    let title = forms::required(errors, "title", &form.title, "Title", MAX_TITLE);
    let kind = EvidenceKind::parse(form.kind.trim());
    if kind.is_none() {
        errors.add("kind", "Choose what kind of evidence this is.");
    }
    let url = match source {
        EvidenceSource::Link => web_url(errors, &form.url),
        _ => String::new(),
    };
    let body = match source {
        EvidenceSource::Note => forms::required(errors, "body", &form.body, "The note", MAX_BODY),
        _ => forms::optional(errors, "body", &form.body, "The description", MAX_BODY),
    };
    let effective_on = if form.effective_on.trim().is_empty() {
        Some(today)
    } else {
        forms::optional_day(errors, "effective_on", &form.effective_on)
    };
    if effective_on.is_some_and(|d| d > today) {
        errors.add("effective_on", "The effective date is the day the evidence shows; it cannot be in the future.");
    }
    let valid_until = forms::optional_day(errors, "valid_until", &form.valid_until);
    let (kind, effective_on) = (kind?, effective_on?);
    let valid_until = valid_until.unwrap_or_else(|| effective_on.plus_months(kind.valid_months()));
    if valid_until < effective_on {
        errors.add("valid_until", "Valid until must be on or after the effective date.");
    }
    errors.is_empty().then_some(Described { title, kind, url, body, effective_on, valid_until })
}

/// An http(s) address (what a link's evidence is), at most 2,000 characters.
fn web_url(errors: &mut FieldErrors, value: &str) -> String {
    let url = value.trim().to_string();
    let lower = url.to_ascii_lowercase();
    let host = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or("");
    if url.is_empty() {
        errors.add("url", "Enter the address of the evidence.");
    } else if host.is_empty() || host.starts_with('/') || url.chars().any(char::is_whitespace) || url.len() > MAX_URL {
        errors.add("url", "Enter a web address starting with https:// (or http://).");
    }
    url
}
