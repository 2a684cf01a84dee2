//! Reading an upload form (`multipart/form-data`): its text fields, and its files streamed into storage under
//! the upload limit.
//!
//! ```ignore
//! async fn upload(state: web::Data<AppState>, scope: Scope, payload: Multipart) -> AppResult<HttpResponse> {
//!     let form = match multipart::read_form(payload, &state.storage, &["org", scope.org_id(), "evidence"]).await {
//!         Ok(form) => form,
//!         // Show `refused.message` next to `refused.field`, the form filled from `refused.fields`, with 422.
//!         Err(refused) => return render_form_again(refused.fields, refused.field, refused.message),
//!     };
//!     // Validate form.field("title") ...; on a validation error or a failed transaction:
//!     form.discard(&state.storage).await; // nothing left behind
//! }
//! ```
//! Put file inputs after the text inputs in the form: browsers send parts in that order, and reading stops at
//! the first refused file, so the text fields before it come back for re-rendering.

use actix_multipart::Multipart;
use futures_util::StreamExt;

use super::download::clean_filename;
use super::{Storage, StorageError, StoredFile, new_key};

/// Longest text field accepted in an upload form.
const MAX_TEXT_FIELD: usize = 64 * 1024;
const MAX_TEXT_FIELDS: usize = 100;
const MAX_FILES: usize = 20;

/// One stored file of the form.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    /// The form field it came in (`<input type="file" name="...">`).
    pub field: String,
    /// The name the person's file had (path and control characters removed), for display and downloads.
    pub filename: String,
    pub stored: StoredFile,
}

/// A read upload form.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
}

impl UploadForm {
    /// The first value of a text field ("" when absent).
    pub fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// The files sent in one file field.
    pub fn files_in<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a UploadedFile> + 'a {
        self.files.iter().filter(move |f| f.field == field)
    }

    /// Deletes the stored files: call it when the form is refused after reading (validation, a failed
    /// transaction), so that no file outlives a row that was never written.
    pub async fn discard(self, storage: &Storage) {
        discard_files(storage, &self.files).await;
    }
}

/// Why an upload form was refused, with what is needed to show it again.
#[derive(Debug)]
pub struct UploadRefused {
    /// The text fields read before the problem, to fill the form again.
    pub fields: Vec<(String, String)>,
    /// The field the message belongs next to ("" for the form as a whole).
    pub field: String,
    pub message: String,
}

/// Reads the whole form; files go to storage under `new_key(key_parts)`. On any refusal the files already
/// stored for this form are deleted.
pub async fn read_form(
    mut payload: Multipart,
    storage: &Storage,
    key_parts: &[&str],
) -> Result<UploadForm, UploadRefused> {
    let mut form = UploadForm::default();
    while let Some(part) = payload.next().await {
        let mut part = match part {
            Ok(part) => part,
            Err(e) => {
                return Err(refuse(storage, form, "", format!("The upload could not be read ({e}). Try again.")).await);
            }
        };
        let name = part.name().unwrap_or("").to_string();
        let filename = part.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_string);
        match filename {
            None => {
                let text = match part.bytes(MAX_TEXT_FIELD).await {
                    Ok(Ok(bytes)) => String::from_utf8(bytes.to_vec()).ok(),
                    Ok(Err(e)) => {
                        let message = format!("The upload could not be read ({e}). Try again.");
                        return Err(refuse(storage, form, "", message).await);
                    }
                    Err(_) => None,
                };
                let Some(text) = text else {
                    return Err(refuse(storage, form, &name, "This field is too long or not text.".into()).await);
                };
                if form.fields.len() >= MAX_TEXT_FIELDS {
                    return Err(refuse(storage, form, "", "The form has too many fields.".into()).await);
                }
                form.fields.push((name, text));
            }
            // A file input left empty: browsers send a part with an empty filename and no content.
            Some(filename) if filename.is_empty() => {}
            Some(filename) => {
                if form.files.len() >= MAX_FILES {
                    let message = format!("Upload at most {MAX_FILES} files at once.");
                    return Err(refuse(storage, form, &name, message).await);
                }
                let stored = match storage.put_stream(&new_key(key_parts), &mut part).await {
                    Ok(stored) => stored,
                    Err(e) => return Err(refuse(storage, form, &name, upload_message(&e)).await),
                };
                let file = UploadedFile { field: name.clone(), filename: clean_filename(&filename), stored };
                let empty = file.stored.size == 0;
                form.files.push(file);
                if empty {
                    return Err(refuse(storage, form, &name, format!("{} is empty.", clean_filename(&filename))).await);
                }
            }
        }
    }
    Ok(form)
}

fn upload_message(e: &StorageError) -> String {
    match e {
        StorageError::TooLarge { limit_mb } => format!("The file is larger than {limit_mb} MB. Choose a smaller file."),
        StorageError::Interrupted(_) => "The upload was interrupted. Try again.".into(),
        _ => "The file could not be stored. Try again in a moment.".into(),
    }
}

async fn refuse(storage: &Storage, form: UploadForm, field: &str, message: String) -> UploadRefused {
    discard_files(storage, &form.files).await;
    UploadRefused { fields: form.fields, field: field.to_string(), message }
}

async fn discard_files(storage: &Storage, files: &[UploadedFile]) {
    for file in files {
        if let Err(e) = storage.delete(&file.stored.key).await {
            tracing::warn!(error = %e, key = %file.stored.key, "could not delete a discarded upload");
        }
    }
}
