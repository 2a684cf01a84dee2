//! File storage on both backends: a directory under the data directory, and S3 (a real S3 API: moto's server,
//! started by .ci/run, or here when `moto_server` is on PATH; `PALISADE_TEST_S3` names one already running).
//! Round trips, sniffed content types, uploads over the limit refused while they stream with nothing left behind,
//! the upload-form reader and the download response.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_multipart::Multipart;
use actix_multipart::test::{TestFormField, create_form_data_payload_and_headers_from_fields};
use actix_web::{HttpResponse, test, web};
use bytes::Bytes;
use futures_util::stream;
use sha2::{Digest, Sha256};

use crate::support::TestApp;
use palisade::AppState;
use palisade::storage::multipart::read_form;
use palisade::storage::{Storage, StorageError, StoredFile, download, new_key};

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `len` bytes of a repeating pattern, as a stream of `chunk`-sized pieces, counting what was pulled from it.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn chunked(
    data: &[u8],
    chunk: usize,
    pulled: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    let pieces: Vec<Bytes> = data.chunks(chunk).map(Bytes::copy_from_slice).collect();
    stream::iter(pieces.into_iter().map(move |piece| {
        pulled.fetch_add(piece.len(), std::sync::atomic::Ordering::Relaxed);
        Ok(piece)
    }))
}

/// What every backend must do. `prefix` keeps runs apart on a shared bucket.
async fn round_trips(storage: &Storage, prefix: &str) {
    // Bytes in memory: size, hash and a type sniffed from the content (the key says nothing about it).
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n".to_vec();
    let key = new_key(&[prefix, "evidence"]);
    let stored = storage.put(&key, Bytes::from(pdf.clone())).await.unwrap();
    assert_eq!(
        stored,
        StoredFile {
            key: key.clone(),
            size: pdf.len() as u64,
            sha256: sha256(&pdf),
            content_type: "application/pdf".into()
        }
    );
    assert_eq!(storage.get(&key).await.unwrap().as_ref(), pdf.as_slice());
    assert!(storage.exists(&key).await.unwrap());

    // A stream larger than one request: stored as a multipart upload, read back as a stream.
    let big = pattern(9 * 1024 * 1024 + 123);
    let big_key = new_key(&[prefix, "big"]);
    let pulled = std::sync::Arc::default();
    let stored = storage.put_stream(&big_key, chunked(&big, 256 * 1024, pulled)).await.unwrap();
    assert_eq!((stored.size, stored.sha256.as_str()), (big.len() as u64, sha256(&big).as_str()));
    assert_eq!(stored.content_type, "application/octet-stream");
    let (size, mut body) = storage.open(&big_key).await.unwrap();
    let mut read = Vec::new();
    while let Some(chunk) = futures_util::StreamExt::next(&mut body).await {
        read.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!((size, sha256(&read)), (big.len() as u64, sha256(&big)));

    // Deleting: gone, and deleting again is fine.
    storage.delete(&key).await.unwrap();
    storage.delete(&key).await.unwrap();
    assert!(matches!(storage.get(&key).await, Err(StorageError::NotFound(_))));
    assert!(!storage.exists(&key).await.unwrap());
    storage.delete(&big_key).await.unwrap();
    assert!(storage.list(prefix).await.unwrap().is_empty(), "nothing left under {prefix}");
    assert!(matches!(storage.put("../escape", Bytes::from_static(b"x")).await, Err(StorageError::BadKey(_))));
}

/// With a 10 MB limit (past the size where uploads become multipart): a larger stream is refused once 10 MB
/// have been read, a stream that breaks after 9 MB is refused, and neither leaves an object (or a part of one)
/// behind.
async fn refuses_over_limit_and_broken_uploads(storage: &Storage, prefix: &str) {
    const MB: usize = 1024 * 1024;
    assert_eq!(storage.limit_bytes(), 10 * MB as u64);
    let pulled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let data = pattern(40 * MB);
    let refused = storage.put_stream(&new_key(&[prefix, "huge"]), chunked(&data, 64 * 1024, pulled.clone())).await;
    assert!(matches!(refused, Err(StorageError::TooLarge { limit_mb: 10 })), "{refused:?}");
    let read = pulled.load(std::sync::atomic::Ordering::Relaxed);
    assert!(read <= 10 * MB + 64 * 1024, "stopped reading at the limit, not after {read} bytes");

    let broken = stream::iter(vec![
        Ok(Bytes::from(pattern(9 * MB))),
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "client went away")),
    ]);
    let refused = storage.put_stream(&new_key(&[prefix, "broken"]), broken).await;
    assert!(matches!(refused, Err(StorageError::Interrupted(_))), "{refused:?}");
    assert!(storage.list(prefix).await.unwrap().is_empty(), "nothing left behind");
}

/// Every file under a directory, recursively (temporary upload files included).
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { found.extend(files_under(&path)) } else { found.push(path) }
    }
    found
}

#[actix_web::test]
async fn files_round_trip_in_the_data_directory() {
    let app = TestApp::new().await;
    let dir = app.state.config.data_dir.join("files");
    round_trips(&app.state.storage, "org").await;
    assert!(dir.is_dir(), "the default store is <data dir>/files");
    assert!(files_under(&dir).is_empty(), "{:?}", files_under(&dir));
    let key = new_key(&["org", "logo"]);
    app.state.storage.put(&key, Bytes::from_static(b"GIF89a....")).await.unwrap();
    assert_eq!(files_under(&dir), vec![dir.join(&key)], "stored at its key under the directory");
}

#[actix_web::test]
async fn uploads_over_the_limit_leave_nothing_in_the_directory() {
    let app = TestApp::with_config(&[("PALISADE_UPLOAD_LIMIT_MB", "10")]).await;
    refuses_over_limit_and_broken_uploads(&app.state.storage, "org").await;
    let dir = app.state.config.data_dir.join("files");
    assert!(files_under(&dir).is_empty(), "no temporary or partial file: {:?}", files_under(&dir));
}

/// An S3 API on loopback for this test: `PALISADE_TEST_S3`, or a moto server started here (killed on drop).
struct S3Server {
    endpoint: String,
    child: Option<Child>,
}

impl S3Server {
    fn start() -> Option<S3Server> {
        if let Some(endpoint) = std::env::var("PALISADE_TEST_S3").ok().filter(|v| !v.is_empty()) {
            return Some(S3Server { endpoint: endpoint.trim_end_matches('/').to_string(), child: None });
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = child else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but there is no S3 server: set PALISADE_TEST_S3 or put moto_server on PATH"
            );
            eprintln!(
                "\n*** SKIPPED: S3 storage tests (no moto_server on PATH and PALISADE_TEST_S3 unset; \
                 pip install 'moto[server]') ***\n"
            );
            return None;
        };
        let server = S3Server { endpoint: format!("http://127.0.0.1:{port}"), child: Some(child) };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "moto_server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(server)
    }

    /// One unsigned request (moto takes them), answered as text.
    fn request(&self, method: &str, path: &str) -> String {
        let host = self.endpoint.trim_start_matches("http://");
        let mut stream = TcpStream::connect(host).expect("connect to the S3 server");
        write!(stream, "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    fn create_bucket(&self, bucket: &str) {
        let answer = self.request("PUT", &format!("/{bucket}"));
        assert!(answer.starts_with("HTTP/1.1 200"), "bucket {bucket} not created: {answer}");
    }

    /// Multipart uploads started and neither completed nor aborted (ListMultipartUploads).
    fn unfinished_uploads(&self, bucket: &str) -> usize {
        let answer = self.request("GET", &format!("/{bucket}?uploads"));
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        answer.matches("<Upload>").count()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn s3_app(server: &S3Server, bucket: &str, limit_mb: &str) -> TestApp {
    TestApp::with_config(&[
        ("PALISADE_STORAGE_URL", &format!("s3://{bucket}/palisade/files")),
        ("PALISADE_S3_ENDPOINT", &server.endpoint),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("PALISADE_UPLOAD_LIMIT_MB", limit_mb),
    ])
    .await
}

#[actix_web::test]
async fn files_round_trip_in_s3_and_oversized_uploads_leave_nothing_there() {
    let Some(server) = S3Server::start() else { return };
    let bucket = format!("palisade-{}", uuid::Uuid::now_v7().simple());
    server.create_bucket(&bucket);
    let app = s3_app(&server, &bucket, "25").await;
    assert!(app.state.storage.label().starts_with(&format!("s3://{bucket}/palisade/files")));
    round_trips(&app.state.storage, "org").await;
    let limited = s3_app(&server, &bucket, "10").await;
    refuses_over_limit_and_broken_uploads(&limited.state.storage, "tenant").await;
    assert!(limited.state.storage.list("").await.unwrap().is_empty(), "no object left");
    assert_eq!(server.unfinished_uploads(&bucket), 0, "the refused multipart upload was aborted");
    // The data directory stays empty: the web tier keeps no files when S3 is configured.
    assert!(!app.state.config.data_dir.join("files").exists());
}

/// A route reading an upload form the way area handlers will, answering with what it read.
async fn upload(state: web::Data<AppState>, payload: Multipart) -> HttpResponse {
    match read_form(payload, &state.storage, &["org", "o1", "evidence"]).await {
        Ok(form) => {
            let files: Vec<String> = form
                .files
                .iter()
                .map(|f| format!("{}:{}:{}:{}", f.field, f.filename, f.stored.size, f.stored.content_type))
                .collect();
            HttpResponse::Ok().body(format!("title={} files={}", form.field("title"), files.join(",")))
        }
        Err(refused) => HttpResponse::UnprocessableEntity()
            .body(format!("field={} message={} kept={:?}", refused.field, refused.message, refused.fields)),
    }
}

async fn post_form(app: &TestApp, fields: Vec<TestFormField<'static>>) -> (u16, String) {
    let service =
        test::init_service(actix_web::App::new().app_data(app.state.clone()).route("/upload", web::post().to(upload)))
            .await;
    let (body, headers) = create_form_data_payload_and_headers_from_fields(fields);
    let mut request = test::TestRequest::post().uri("/upload").set_payload(body);
    for (name, value) in headers.iter() {
        request = request.insert_header((name.clone(), value.clone()));
    }
    let response = test::call_service(&service, request.to_request()).await;
    let status = response.status().as_u16();
    (status, String::from_utf8(test::read_body(response).await.to_vec()).unwrap())
}

#[actix_web::test]
async fn upload_forms_give_their_fields_and_stored_files_or_a_message_with_the_fields_kept() {
    let app = TestApp::with_config(&[("PALISADE_UPLOAD_LIMIT_MB", "1")]).await;
    let dir = app.state.config.data_dir.join("files");
    let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[0u8; 64][..]].concat();
    let (status, body) = post_form(
        &app,
        vec![
            TestFormField::new("title", "Firewall review"),
            TestFormField::new("file", png.clone()).filename("../../home/ann/screen shot.png"),
            TestFormField::new("file", "").filename(""),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, format!("title=Firewall review files=file:screen shot.png:{}:image/png", png.len()));
    assert_eq!(files_under(&dir).len(), 1);

    // Too large: refused next to the file field, the title kept, and the file stored before it removed too.
    let (status, body) = post_form(
        &app,
        vec![
            TestFormField::new("title", "Quarterly export"),
            TestFormField::new("file", "first,file\n").filename("a.csv"),
            TestFormField::new("file", pattern(2 * 1024 * 1024)).filename("huge.bin"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("field=file message=The file is larger than 1 MB."), "{body}");
    assert!(body.contains(r#"("title", "Quarterly export")"#), "{body}");
    assert_eq!(files_under(&dir).len(), 1, "nothing of the refused form is left: {:?}", files_under(&dir));

    let (status, body) = post_form(&app, vec![TestFormField::new("file", "").filename("empty.txt")]).await;
    assert_eq!((status, body.contains("empty.txt is empty.")), (422, true), "{body}");
    let (status, body) = post_form(&app, vec![TestFormField::new("title", vec![0xff, 0xfe])]).await;
    assert_eq!(
        (status, body.contains("field=title message=This field is too long or not text.")),
        (422, true),
        "{body}"
    );
    assert_eq!(files_under(&dir).len(), 1);
}

#[actix_web::test]
async fn downloads_are_attachments_with_a_safe_filename_and_the_sniffed_type() {
    let app = TestApp::new().await;
    let stored = app
        .state
        .storage
        .put(&new_key(&["org", "evidence"]), Bytes::from_static(b"<script>alert(1)</script>"))
        .await
        .unwrap();
    assert_eq!(stored.content_type, "text/plain; charset=utf-8", "HTML is not trusted as HTML");
    let response = download::attachment(&app.state.storage, &stored, "../r\u{e9}sum\u{e9}\r\n.html").await.unwrap();
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("content-security-policy"), "default-src 'none'; sandbox");
    assert_eq!(header("cache-control"), "private, no-store");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"r_sum_.html\"; filename*=UTF-8''r%C3%A9sum%C3%A9.html"
    );
    let body = actix_web::body::to_bytes(response.into_body()).await.unwrap();
    assert_eq!(body.as_ref(), b"<script>alert(1)</script>");
    let missing = StoredFile { key: "org/missing".into(), ..stored };
    assert!(matches!(
        download::attachment(&app.state.storage, &missing, "x").await,
        Err(palisade::error::AppError::NotFound)
    ));
}
