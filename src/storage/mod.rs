//! Files (evidence, attachments, logos, audit packages): one module over two backends, chosen by
//! `PALISADE_STORAGE_URL`: a directory (default `<data dir>/files`) or S3-compatible object storage, both through
//! `object_store`, so the web tier keeps no state of its own when S3 is configured.
//!
//! - [`Storage::put`] / [`Storage::put_stream`] store bytes under a key made by [`new_key`] and give back a
//!   [`StoredFile`]: size, SHA-256 and a content type sniffed from the bytes (never the client's word). A stream
//!   over the upload limit (`PALISADE_UPLOAD_LIMIT_MB`) is refused while it arrives, and nothing is left behind.
//! - [`Storage::get`], [`Storage::open`] (streamed) and [`Storage::delete`].
//! - [`download::attachment`] serves a file as a download; [`multipart::read_form`] reads an upload form.
//!
//! Keys are opaque to the backends: keep the key (and the StoredFile facts) in the owning row, and authorize a
//! download through the scope that owns that row, never by key alone.

pub mod download;
pub mod images;
pub mod multipart;

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::stream::{BoxStream, Stream, StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, RetryConfig, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::config::{Config, StorageSettings};
use crate::error::AppError;

/// Files up to this size are stored with one request; larger ones as a multipart upload, streamed.
const SINGLE_PUT_MAX: usize = 8 * 1024 * 1024;
/// Bytes looked at to tell the content type.
const SNIFF_BYTES: usize = 8 * 1024;

/// What was stored: keep these in the row that owns the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    pub key: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Sniffed from the bytes, e.g. `application/pdf`, `image/png`, `text/plain; charset=utf-8`.
    pub content_type: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the file is larger than the {limit_mb} MB limit")]
    TooLarge { limit_mb: u64 },
    #[error("no stored file {0}")]
    NotFound(String),
    #[error("'{0}' is not a storage key")]
    BadKey(String),
    /// The upload stream failed (the client went away, a malformed multipart body, a timeout).
    #[error("the upload was interrupted: {0}")]
    Interrupted(String),
    #[error("file storage failed")]
    Backend(#[source] object_store::Error),
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> AppError {
        match e {
            StorageError::NotFound(_) => AppError::NotFound,
            StorageError::TooLarge { .. } => AppError::PayloadTooLarge(e.to_string()),
            StorageError::Interrupted(_) => AppError::BadRequest("The upload was interrupted. Try again.".into()),
            StorageError::BadKey(_) | StorageError::Backend(_) => AppError::internal_from("file storage", e),
        }
    }
}

fn backend_error(key: &str, e: object_store::Error) -> StorageError {
    match e {
        object_store::Error::NotFound { .. } => StorageError::NotFound(key.to_string()),
        other => StorageError::Backend(other),
    }
}

/// The file store of this installation. Cheap to clone.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    limit_bytes: u64,
    label: String,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({})", self.label)
    }
}

impl Storage {
    /// The configured store (creating the directory of a directory store).
    pub fn from_config(config: &Config) -> Result<Storage, String> {
        let store: Arc<dyn ObjectStore> = match &config.storage {
            StorageSettings::Directory(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("PALISADE_STORAGE_URL: cannot create {}: {e}", dir.display()))?;
                let local = LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| format!("PALISADE_STORAGE_URL: cannot use {}: {e}", dir.display()))?;
                Arc::new(local)
            }
            StorageSettings::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_retry(RetryConfig {
                        max_retries: 3,
                        retry_timeout: std::time::Duration::from_secs(30),
                        ..RetryConfig::default()
                    });
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
                }
                if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
                    builder = builder.with_access_key_id(id).with_secret_access_key(secret);
                }
                if let Some(token) = &s3.session_token {
                    builder = builder.with_token(token);
                }
                let s3_store = builder.build().map_err(|e| format!("PALISADE_STORAGE_URL: {e}"))?;
                if s3.prefix.is_empty() {
                    Arc::new(s3_store)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(s3_store, s3.prefix.as_str()))
                }
            }
        };
        Ok(Storage { store, limit_bytes: config.upload_limit_bytes, label: config.storage.label() })
    }

    /// Where files go, for the start-up log.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The largest file accepted, in bytes.
    pub fn limit_bytes(&self) -> u64 {
        self.limit_bytes
    }

    fn limit_error(&self) -> StorageError {
        StorageError::TooLarge { limit_mb: self.limit_bytes / (1024 * 1024) }
    }

    /// Stores bytes already in memory.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<StoredFile, StorageError> {
        self.put_stream(key, futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) })).await
    }

    /// Stores a stream, hashing and measuring it as it arrives. Over the limit, or when the stream fails, the
    /// upload is abandoned and nothing is stored.
    pub async fn put_stream<S, E>(&self, key: &str, stream: S) -> Result<StoredFile, StorageError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: std::fmt::Display,
    {
        let path = store_path(key)?;
        let mut stream = std::pin::pin!(stream);
        let mut upload = Upload::new(self.store.clone(), path.clone());
        let mut hasher = Sha256::new();
        let mut sniff = Vec::new();
        let mut size = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) => return Err(upload.abandon(StorageError::Interrupted(e.to_string())).await),
            };
            size += chunk.len() as u64;
            if size > self.limit_bytes {
                return Err(upload.abandon(self.limit_error()).await);
            }
            hasher.update(&chunk);
            if sniff.len() < SNIFF_BYTES {
                sniff.extend_from_slice(&chunk[..chunk.len().min(SNIFF_BYTES - sniff.len())]);
            }
            if let Err(e) = upload.write(chunk).await {
                return Err(upload.abandon(backend_error(key, e)).await);
            }
        }
        upload.finish().await.map_err(|e| backend_error(key, e))?;
        Ok(StoredFile {
            key: key.to_string(),
            size,
            sha256: hex::encode(hasher.finalize()),
            content_type: sniff_content_type(&sniff),
        })
    }

    /// The whole file in memory (small files: email attachments, logos).
    pub async fn get(&self, key: &str) -> Result<Bytes, StorageError> {
        let path = store_path(key)?;
        let found = self.store.get(&path).await.map_err(|e| backend_error(key, e))?;
        found.bytes().await.map_err(|e| backend_error(key, e))
    }

    /// The file as a stream, with its size (downloads).
    pub async fn open(
        &self,
        key: &str,
    ) -> Result<(u64, BoxStream<'static, Result<Bytes, StorageError>>), StorageError> {
        let path = store_path(key)?;
        let found = self.store.get(&path).await.map_err(|e| backend_error(key, e))?;
        let size = found.meta.size;
        let owned = key.to_string();
        Ok((size, found.into_stream().map_err(move |e| backend_error(&owned, e)).boxed()))
    }

    /// Removes a file; removing one that is not there is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = store_path(key)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StorageError::Backend(e)),
        }
    }

    /// Deletes a file a committed change replaced (a logo, say), if any. A failure leaves an unreferenced file,
    /// never a row pointing at nothing, so it is only logged.
    pub async fn delete_replaced(&self, key: Option<String>) {
        if let Some(key) = key
            && let Err(e) = self.delete(&key).await
        {
            tracing::warn!(error = %e, key = %key, "a replaced file could not be deleted from storage");
        }
    }

    /// Whether a file exists (tests, consistency checks).
    pub async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        let path = store_path(key)?;
        match self.store.head(&path).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(StorageError::Backend(e)),
        }
    }

    /// Every key under a prefix (tests and maintenance; not for request paths).
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let path = if prefix.is_empty() { None } else { Some(store_path(prefix)?) };
        let found: Vec<object_store::ObjectMeta> =
            self.store.list(path.as_ref()).try_collect().await.map_err(StorageError::Backend)?;
        Ok(found.into_iter().map(|m| m.location.to_string()).collect())
    }
}

/// A new unique key under `parts`, e.g. `new_key(&["org", org_id, "evidence"])` ->
/// `org/<org id>/evidence/<uuid v7>`. Parts are kept to letters, digits, `-` and `_`.
pub fn new_key(parts: &[&str]) -> String {
    let mut key: Vec<String> = parts
        .iter()
        .map(|p| p.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect())
        .filter(|p: &String| !p.is_empty())
        .collect();
    key.push(crate::db::new_id());
    key.join("/")
}

/// A key as the backends take it: non-empty segments of letters, digits, `-`, `_` and `.`, none `.` or `..`.
fn store_path(key: &str) -> Result<StorePath, StorageError> {
    let valid = !key.is_empty()
        && key.len() <= 512
        && key.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        });
    if !valid {
        return Err(StorageError::BadKey(key.to_string()));
    }
    StorePath::parse(key).map_err(|_| StorageError::BadKey(key.to_string()))
}

/// Types a browser would run rather than show (scripts in HTML, SVG, XML): never given to stored content.
const ACTIVE_TYPES: &[&str] =
    &["text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml", "application/javascript"];

/// The content type from the first bytes: a known signature (PDF, images, office documents, archives...),
/// else UTF-8 text, else opaque bytes. Markup that could run script is only ever text.
pub fn sniff_content_type(head: &[u8]) -> String {
    if let Some(kind) = infer::get(head).filter(|kind| !ACTIVE_TYPES.contains(&kind.mime_type())) {
        return kind.mime_type().to_string();
    }
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        // Cut in the middle of a character at the end of the sniffed bytes: still text.
        Err(e) => e.error_len().is_none(),
    };
    if text && !head.contains(&0) { "text/plain; charset=utf-8".into() } else { "application/octet-stream".into() }
}

/// An upload in progress: bytes kept in memory up to `SINGLE_PUT_MAX` (one PUT), then a streamed multipart
/// upload that `abandon` aborts so that no part is left behind.
struct Upload {
    store: Arc<dyn ObjectStore>,
    path: StorePath,
    head: BytesMut,
    multipart: Option<WriteMultipart>,
}

impl Upload {
    fn new(store: Arc<dyn ObjectStore>, path: StorePath) -> Upload {
        Upload { store, path, head: BytesMut::new(), multipart: None }
    }

    async fn write(&mut self, chunk: Bytes) -> object_store::Result<()> {
        if let Some(multipart) = &mut self.multipart {
            multipart.wait_for_capacity(4).await?;
            multipart.put(chunk);
            return Ok(());
        }
        self.head.extend_from_slice(&chunk);
        if self.head.len() > SINGLE_PUT_MAX {
            let mut multipart = WriteMultipart::new(self.store.put_multipart(&self.path).await?);
            multipart.put(std::mem::take(&mut self.head).freeze());
            self.multipart = Some(multipart);
        }
        Ok(())
    }

    async fn finish(self) -> object_store::Result<()> {
        match self.multipart {
            Some(multipart) => multipart.finish().await.map(|_| ()),
            None => self.store.put(&self.path, PutPayload::from(self.head.freeze())).await.map(|_| ()),
        }
    }

    /// Gives up: aborts a started multipart upload (a single PUT never started). Returns `why`.
    async fn abandon(self, why: StorageError) -> StorageError {
        if let Some(multipart) = self.multipart
            && let Err(e) = multipart.abort().await
        {
            tracing::warn!(error = %e, key = %self.path, "could not abort an abandoned upload");
        }
        why
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_and_made_safe() {
        assert!(store_path("org/abc/evidence/0192-x.pdf").is_ok());
        for bad in ["", "/abs", "a//b", "a/../b", "a/./b", "a b", "a/\u{e9}", "a\\b"] {
            assert!(store_path(bad).is_err(), "{bad:?} must be refused");
        }
        let key = new_key(&["org", "../etc", "logo"]);
        assert!(key.starts_with("org/___etc/logo/"), "{key}");
        assert!(store_path(&key).is_ok());
    }

    #[test]
    fn content_types_come_from_the_bytes() {
        assert_eq!(sniff_content_type(b"%PDF-1.7\n..."), "application/pdf");
        assert_eq!(sniff_content_type(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]), "image/png");
        assert_eq!(sniff_content_type("name,email\nAnn,ann@example.com\n".as_bytes()), "text/plain; charset=utf-8");
        // A multi-byte character cut at the end of the sniffed bytes is still text.
        assert_eq!(sniff_content_type(&"caf\u{e9}".as_bytes()[..4]), "text/plain; charset=utf-8");
        assert_eq!(sniff_content_type(&[0, 159, 146, 150]), "application/octet-stream");
        assert_eq!(sniff_content_type(b""), "text/plain; charset=utf-8");
        for markup in ["<!DOCTYPE html><script>x</script>", "<?xml version=\"1.0\"?><svg onload=\"x\"/>", "<html>"] {
            assert_eq!(sniff_content_type(markup.as_bytes()), "text/plain; charset=utf-8", "{markup}");
        }
    }
}
