//! Email through the outbox: written in the transaction of the change, delivered by the scheduler through a real
//! SMTP conversation (an SMTP server embedded in the test, mailin-embedded, on loopback, configured as an operator
//! would: PALISADE_SMTP_HOST/PORT/SECURITY), retried with backoff, failed visibly, never sent twice.

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mail_parser::{MessageParser, MimeHeaders, PartType};
use mailin_embedded::{Handler, Response, Server, SslConfig};

use crate::support::{TestApp, fixture};
use palisade::db::ids::MailId;
use palisade::error::AppError;
use palisade::mail::outbox::{self, MAX_ATTEMPTS};
use palisade::mail::{MailAttachment, MailHeaders, OutgoingMail};
use palisade::schema::outbox as ob;

/// One message as a mail client reads it: headers decoded, bodies decoded from their transfer encoding.
pub struct ReadMessage {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// The text/html alternative, when the message has one.
    pub html: Option<String>,
    pub from_name: String,
    pub message_id: String,
    pub in_reply_to: String,
    pub references: Vec<String>,
    pub reply_to: String,
    pub auto_submitted: String,
    /// (filename, content) of each attachment.
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// Parses a raw RFC 5322 message (quoted-printable, base64 and soft line breaks undone).
pub fn read_message(raw: &[u8]) -> ReadMessage {
    let message = MessageParser::default().parse(raw).expect("a MIME message");
    let html = message.parts.iter().find_map(|part| match &part.body {
        PartType::Html(html) => Some(html.to_string()),
        _ => None,
    });
    let ids = |value: &mail_parser::HeaderValue| -> Vec<String> {
        value.as_text_list().map(|l| l.iter().map(|s| s.to_string())).into_iter().flatten().collect()
    };
    let attachments = message
        .attachments()
        .map(|a| (a.attachment_name().unwrap_or_default().to_string(), a.contents().to_vec()))
        .collect();
    ReadMessage {
        to: message.to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_string(),
        subject: message.subject().unwrap_or_default().to_string(),
        text: message.body_text(0).map(|t| t.to_string()).unwrap_or_default(),
        html,
        from_name: message.from().and_then(|a| a.first()).and_then(|a| a.name()).unwrap_or_default().to_string(),
        message_id: message.message_id().unwrap_or_default().to_string(),
        in_reply_to: ids(message.in_reply_to()).join(" "),
        references: ids(message.references()),
        reply_to: message.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_string(),
        auto_submitted: message.header_raw("Auto-Submitted").unwrap_or_default().trim().to_string(),
        attachments,
    }
}

/// The whole invitation link in a message's text, e.g. `http://localhost/invitations/<token>`.
#[track_caller]
pub fn invitation_link(text: &str) -> String {
    let marker = "/invitations/";
    let at = text.find(marker).unwrap_or_else(|| panic!("no invitation link in:\n{text}"));
    let start = text[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let token_len =
        text[at + marker.len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || "-_".contains(*c)).count();
    text[start..at + marker.len() + token_len].to_string()
}

/// What the SMTP server received in one transaction.
#[derive(Clone, Debug)]
struct Delivery {
    recipients: Vec<String>,
    data: Vec<u8>,
}

/// Collects every delivery; mailin clones the handler per connection, so the store is shared. Recipients at
/// `nobody@` are refused as an unknown mailbox (550, a permanent failure).
#[derive(Clone, Default)]
struct Collector {
    received: Arc<Mutex<Vec<Delivery>>>,
    current: Option<Delivery>,
}

impl Handler for Collector {
    fn rcpt(&mut self, to: &str) -> Response {
        if to.starts_with("nobody@") { mailin_embedded::response::NO_MAILBOX } else { mailin_embedded::response::OK }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Delivery { recipients: to.to_vec(), data: Vec::new() });
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(done) = self.current.take() {
            self.received.lock().unwrap().push(done);
        }
        mailin_embedded::response::OK
    }
}

/// An SMTP server on a free loopback port, serving until the test process ends.
fn smtp_server() -> (u16, Arc<Mutex<Vec<Delivery>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().unwrap().port();
    let collector = Collector::default();
    let received = collector.received.clone();
    let mut server = Server::new(collector);
    server.with_name("smtp.test").with_ssl(SslConfig::None).expect("plain SMTP").with_tcp_listener(listener);
    std::thread::spawn(move || {
        if let Err(e) = server.serve() {
            eprintln!("test SMTP server stopped: {e}");
        }
    });
    (port, received)
}

/// The application configured for SMTP the way an operator does it: the SMTP host alone selects SMTP.
async fn smtp_app(port: u16) -> TestApp {
    let port = port.to_string();
    TestApp::with_config(&[
        ("PALISADE_MAIL_TRANSPORT", ""),
        ("PALISADE_SMTP_HOST", "127.0.0.1"),
        ("PALISADE_SMTP_PORT", &port),
        ("PALISADE_SMTP_SECURITY", "none"),
    ])
    .await
}

/// A port that nothing listens on any more.
fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// (status, attempts, next attempt, last error, text body) of the only outbox row for `to`.
#[track_caller]
fn row_for(app: &TestApp, to: &str) -> (String, i32, NaiveDateTime, String, String) {
    ob::table
        .filter(ob::to_address.eq(to))
        .select((ob::status, ob::attempts, ob::next_attempt_at, ob::last_error, ob::text_body))
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("no outbox row for {to}: {e}"))
}

fn outbox_count(app: &TestApp) -> i64 {
    ob::table.count().get_result(&mut app.conn()).unwrap()
}

fn message(to: &str, subject: &str) -> OutgoingMail {
    OutgoingMail::new(to, subject, format!("Text for {to}"), format!("<p>HTML for {to}</p>"))
}

async fn enqueue(app: &TestApp, mail: OutgoingMail) -> MailId {
    let now = app.clock().now();
    app.state.db.write(move |conn| Ok(outbox::enqueue(conn, now, &mail)?)).await.unwrap()
}

#[actix_web::test]
async fn an_invitation_is_queued_with_the_change_then_delivered_over_smtp() {
    let (port, received) = smtp_server();
    let app = smtp_app(port).await;
    let f = fixture::msp(&mut app.conn());
    let mut c = app.signed_in("admin@northwind.test").await;
    let resp = c.invite("Casey.New@Example.test", "MSP_TECHNICIAN").await;
    resp.assert_redirect("/settings/team");
    c.follow(&resp).await.assert_contains("Invitation sent to casey.new@example.test");

    // The request only queued it: no mail server was involved yet.
    assert!(received.lock().unwrap().is_empty(), "nothing is sent inside the request");
    let (status, attempts, _, _, text) = row_for(&app, "casey.new@example.test");
    assert_eq!((status.as_str(), attempts), ("queued", 0));
    assert!(text.contains("/invitations/"), "the queued email holds the link until it is sent");
    let org: Option<String> = ob::table.select(ob::org_id).first(&mut app.conn()).unwrap();
    assert_eq!(org.as_deref(), Some(f.msp.as_str()), "queued for the inviting organization");

    let outcomes = app.run_pending_jobs().await;
    let deliver = outcomes.iter().find(|o| o.name == "mail.deliver").expect("the delivery job ran");
    assert_eq!(deliver.result, Ok("1 delivered, 0 to retry, 0 failed".to_string()));
    let deliveries = received.lock().unwrap().clone();
    assert_eq!(deliveries.len(), 1, "one message reached the SMTP server");
    assert_eq!(deliveries[0].recipients, vec!["casey.new@example.test".to_string()], "envelope recipient");
    let message = read_message(&deliveries[0].data);
    assert_eq!(message.to, "casey.new@example.test");
    assert_eq!(message.subject, "Morgan Admin invited you to Northwind Managed IT on Palisade");
    assert_eq!(message.auto_submitted, "auto-generated", "marked automatic, so auto-responders stay quiet");
    assert!(message.text.contains("as MSP Technician"), "{}", message.text);
    let link = invitation_link(&message.text);
    assert!(link.starts_with("http://localhost/invitations/"), "the link uses PALISADE_BASE_URL: {link}");
    assert_eq!(link.len(), "http://localhost/invitations/".len() + 43, "the whole token: {link}");
    let html = message.html.expect("an HTML alternative");
    assert!(html.contains(&format!("href=\"{link}\"")), "the HTML part links to the same invitation:\n{html}");

    let (status, attempts, _, error, text) = row_for(&app, "casey.new@example.test");
    assert_eq!((status.as_str(), attempts, error.as_str()), ("sent", 1, ""));
    assert!(text.is_empty(), "a delivered email's body (and its link) is not kept");

    // Delivered once: another pass sends nothing more.
    app.run_pending_jobs().await;
    assert_eq!(received.lock().unwrap().len(), 1);

    // The emailed link is the live invitation of this organization.
    let path = link.trim_start_matches("http://localhost");
    let mut stranger = app.client().await;
    stranger.get(path).await.assert_status(200).assert_contains("Join Northwind Managed IT");
}

#[actix_web::test]
async fn a_failing_mail_server_is_retried_with_backoff_until_the_email_is_marked_failed() {
    let app = smtp_app(dead_port()).await;
    let f = fixture::msp(&mut app.conn());
    let mut c = app.signed_in("admin@northwind.test").await;
    let resp = c.invite("lost@example.test", "MSP_TECHNICIAN").await;
    c.follow(&resp).await.assert_contains("Invitation sent to lost@example.test");

    let mut expected_wait = Duration::zero();
    for attempt in 1..=MAX_ATTEMPTS {
        app.clock().advance(expected_wait);
        let outcomes = app.run_pending_jobs().await;
        assert!(outcomes.iter().all(|o| o.result.is_ok()), "a failed delivery is not a failed job: {outcomes:?}");
        let (status, attempts, next, error, _) = row_for(&app, "lost@example.test");
        assert_eq!(attempts, attempt, "one attempt per due pass");
        assert!(!error.is_empty(), "the reason is kept");
        if attempt < MAX_ATTEMPTS {
            assert_eq!(status, "queued");
            expected_wait = outbox::backoff(attempt);
            assert_eq!(next, app.clock().now() + expected_wait, "attempt {attempt}: waits {expected_wait}");
            // Not due yet: a pass before the wait is over does not try again.
            app.clock().advance(expected_wait - Duration::seconds(1));
            app.run_pending_jobs().await;
            assert_eq!(row_for(&app, "lost@example.test").1, attempt);
            expected_wait = Duration::seconds(1);
        } else {
            assert_eq!(status, "failed", "given up after {MAX_ATTEMPTS} attempts");
        }
    }
    let saved = fixture::count(
        &mut app.conn(),
        &format!("SELECT COUNT(*) AS n FROM invitations WHERE org_id = '{}' AND email = 'lost@example.test'", f.msp),
    );
    assert_eq!(saved, 1, "the invitation is kept: Resend or Retry can deliver it later");

    // A super admin sees the failure and its reason, and queues it again.
    let page = c.get("/admin/mail").await;
    page.assert_status(200).assert_contains("lost@example.test").assert_contains("Retry");
    assert!(crate::support::page::row(&page.body, "lost@example.test").contains("Connection refused"), "the error");
    let id: String = ob::table.select(ob::id).first(&mut app.conn()).unwrap();
    let retried = c.post(&format!("/admin/mail/{id}/retry"), &[]).await;
    retried.assert_redirect("/admin/mail?status=failed");
    c.follow(&retried).await.assert_contains("The email to lost@example.test is queued again");
    let (status, attempts, next, _, _) = row_for(&app, "lost@example.test");
    assert_eq!((status.as_str(), attempts, next), ("queued", 0, app.clock().now()));
    let logged = fixture::count(&mut app.conn(), "SELECT COUNT(*) AS n FROM activity_log WHERE action = 'email.retry'");
    assert_eq!(logged, 1, "the retry is in the activity log");
    let log = c.get("/settings/activity").await;
    log.assert_contains("Morgan Admin queued the email to lost@example.test again");
    // Only failed emails can be retried; another id is not found.
    c.post(&format!("/admin/mail/{id}/retry"), &[]).await.assert_status(404);
    c.post("/admin/mail/no-such-email/retry", &[]).await.assert_status(404);
}

#[actix_web::test]
async fn a_mailbox_the_server_refuses_fails_at_once_without_retries() {
    let (port, received) = smtp_server();
    let app = smtp_app(port).await;
    enqueue(&app, message("nobody@example.test", "Hello")).await;
    enqueue(&app, message("someone@example.test", "Hello")).await;
    let outcomes = app.run_pending_jobs().await;
    let deliver = outcomes.iter().find(|o| o.name == "mail.deliver").unwrap();
    assert_eq!(deliver.result, Ok("1 delivered, 0 to retry, 1 failed".to_string()));
    let (status, attempts, _, error, _) = row_for(&app, "nobody@example.test");
    assert_eq!((status.as_str(), attempts), ("failed", 1), "a permanent refusal is not retried");
    assert!(error.contains("550"), "the server's answer is kept: {error}");
    assert_eq!(received.lock().unwrap().len(), 1);
}

#[actix_web::test]
async fn an_email_is_written_with_the_change_and_rolled_back_with_it() {
    let app = TestApp::new().await;
    let now = app.clock().now();
    let refused: Result<(), AppError> = app
        .state
        .db
        .write(move |conn| {
            outbox::enqueue(conn, now, &message("a@example.test", "Rolled back"))?;
            Err(AppError::BadRequest("the change is refused".into()))
        })
        .await;
    assert!(refused.is_err());
    assert_eq!(outbox_count(&app), 0, "no email for a change that did not happen");
    enqueue(&app, message("b@example.test", "Kept")).await;
    assert_eq!(outbox_count(&app), 1);

    // Through the product: an invitation refused for bad input queues nothing.
    fixture::msp(&mut app.conn());
    let mut c = app.signed_in("admin@northwind.test").await;
    c.invite("not-an-email", "MSP_TECHNICIAN").await.assert_status(422);
    assert_eq!(outbox_count(&app), 1);
    assert_eq!(app.mail().await.len(), 1, "only the kept email is delivered");
}

#[actix_web::test]
async fn two_instances_deliver_each_queued_email_once() {
    let app = TestApp::new().await;
    let other = app.second_instance();
    for n in 0..40 {
        enqueue(&app, message(&format!("person{n}@example.test"), "Hello")).await;
    }
    let (a, b) = futures_util::join!(app.state.jobs.run_all(&app.state), other.jobs.run_all(&other));
    let (a, b) = (a.unwrap(), b.unwrap());
    let ran = |outcomes: &[palisade::jobs::JobOutcome]| outcomes.iter().filter(|o| o.name == "mail.deliver").count();
    assert_eq!(ran(&a) + ran(&b), 1, "the job ran on one instance: {a:?} {b:?}");
    let mut recipients: Vec<String> = Vec::new();
    for state in [&app.state, &other] {
        for raw in state.mailer.delivered().await {
            recipients.push(read_message(raw.as_bytes()).to);
        }
    }
    assert_eq!(recipients.len(), 40, "every email delivered once");
    assert_eq!(recipients.iter().collect::<HashSet<_>>().len(), 40, "none twice");
    let sent: i64 = ob::table.filter(ob::status.eq("sent")).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(sent, 40);
}

#[actix_web::test]
async fn concurrent_claims_never_take_the_same_row() {
    let app = TestApp::new().await;
    for n in 0..60 {
        enqueue(&app, message(&format!("claim{n}@example.test"), "Hello")).await;
    }
    let now = app.clock().now();
    let claimers: Vec<_> = (0..3)
        .map(|_| {
            let db = app.state.db.clone();
            std::thread::spawn(move || {
                let mut conn = db.conn().unwrap();
                let mut taken = Vec::new();
                loop {
                    let batch = outbox::claim_due(&mut conn, now, 7).unwrap();
                    if batch.is_empty() {
                        return taken;
                    }
                    taken.extend(batch.into_iter().map(|row| row.id));
                }
            })
        })
        .collect();
    let taken: Vec<MailId> = claimers.into_iter().flat_map(|t| t.join().unwrap()).collect();
    assert_eq!(taken.len(), 60, "every due row claimed");
    assert_eq!(taken.iter().collect::<HashSet<_>>().len(), 60, "no row claimed twice");
    let sending: i64 = ob::table.filter(ob::status.eq("sending")).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(sending, 60);

    // A claim whose instance never reported goes back to work once its lease has passed.
    assert!(outbox::claim_due(&mut app.conn(), now + Duration::minutes(9), 100).unwrap().is_empty());
    assert_eq!(outbox::claim_due(&mut app.conn(), now + Duration::minutes(11), 100).unwrap().len(), 60);
}

#[actix_web::test]
async fn threading_headers_and_attachments_reach_the_recipient() {
    let (port, received) = smtp_server();
    let app = smtp_app(port).await;
    let stored = app.state.storage.put("mail/test/report.pdf", "%PDF-1.7 quarterly".into()).await.unwrap();
    let mut mail = message("client@example.test", "Re: [#42] Printer down");
    mail.headers = MailHeaders {
        message_id: Some(palisade::mail::new_message_id(&app.state.config.base_url)),
        in_reply_to: Some("<a1@client.example>".into()),
        references: vec!["<a0@client.example>".into(), "<a1@client.example>".into()],
        reply_to: Some("support+42@msp.example".into()),
        from_name: Some("Tier Two Legal Support".into()),
    };
    mail.attachments = vec![MailAttachment {
        filename: "Quarterly report.pdf".into(),
        content_type: stored.content_type.clone(),
        storage_key: stored.key.clone(),
    }];
    let message_id = mail.headers.message_id.clone().unwrap();
    enqueue(&app, mail).await;
    app.run_pending_jobs().await;
    let deliveries = received.lock().unwrap().clone();
    assert_eq!(deliveries.len(), 1);
    let read = read_message(&deliveries[0].data);
    assert_eq!(format!("<{}>", read.message_id), message_id);
    assert!(message_id.ends_with("@localhost>"), "{message_id}");
    assert_eq!(read.in_reply_to, "a1@client.example");
    assert_eq!(read.references, vec!["a0@client.example", "a1@client.example"]);
    assert_eq!(read.reply_to, "support+42@msp.example");
    assert_eq!(read.from_name, "Tier Two Legal Support");
    assert_eq!(read.attachments, vec![("Quarterly report.pdf".to_string(), b"%PDF-1.7 quarterly".to_vec())]);
    assert_eq!(read.text, "Text for client@example.test");
}

#[actix_web::test]
async fn an_attachment_no_longer_stored_fails_the_email_for_good() {
    let app = TestApp::new().await;
    let mut mail = message("client@example.test", "With a file");
    mail.attachments = vec![MailAttachment {
        filename: "gone.pdf".into(),
        content_type: "application/pdf".into(),
        storage_key: "mail/test/gone".into(),
    }];
    enqueue(&app, mail).await;
    assert!(app.mail().await.is_empty());
    let (status, _, _, error, _) = row_for(&app, "client@example.test");
    assert_eq!(status, "failed");
    assert!(error.contains("gone.pdf is no longer stored"), "{error}");
}

#[actix_web::test]
async fn the_file_transport_writes_eml_files_into_the_data_directory() {
    let app = TestApp::with_config(&[("PALISADE_MAIL_TRANSPORT", "file")]).await;
    fixture::msp(&mut app.conn());
    let mut c = app.signed_in("admin@northwind.test").await;
    c.invite("filed@example.test", "MSP_TECHNICIAN").await.assert_redirect("/settings/team");
    let dir = app.state.config.outbox_dir();
    let files = |dir: &std::path::Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default()
    };
    assert!(files(&dir).is_empty(), "queued, not yet written");
    app.run_pending_jobs().await;
    let written = files(&dir);
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(written[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let read = read_message(&std::fs::read(&written[0]).unwrap());
    assert_eq!(read.to, "filed@example.test");
    assert!(read.text.contains("/invitations/"));
}

#[actix_web::test]
async fn forgot_password_queues_an_email_only_for_a_known_account_with_the_same_answer() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    c.get("/forgot-password").await;
    let unknown = c.post("/forgot-password", &[("email", "nobody@northwind.test")]).await;
    assert_eq!(outbox_count(&app), 0);
    let known = c.post("/forgot-password", &[("email", "admin@northwind.test")]).await;
    assert_eq!(outbox_count(&app), 1, "queued in the request's transaction");
    assert_eq!(unknown.status, known.status);
    let shown = |body: &str| crate::support::strip_tags(body).replace("nobody@northwind.test", "admin@northwind.test");
    assert_eq!(shown(&unknown.body), shown(&known.body), "the same page either way");
    let (status, ..) = row_for(&app, "admin@northwind.test");
    assert_eq!(status, "queued");
}

#[actix_web::test]
async fn the_email_page_is_for_super_admins_and_its_statements_do_not_grow_with_email() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut tech = app.signed_in("tech@northwind.test").await;
    tech.get("/admin/mail").await.assert_status(403);
    let mut admin = app.signed_in("admin@northwind.test").await;
    admin.get("/admin/mail").await.assert_status(200).assert_contains("No email has failed");
    admin.get("/admin/mail?status=bogus").await.assert_status(200).assert_contains("No email has failed");
    admin.get("/admin/mail?status=queued&page=x").await.assert_status(200).assert_contains("No email is waiting");

    let mut per_page = Vec::new();
    for batch in [3, 60] {
        for n in 0..batch {
            enqueue(&app, message(&format!("q{batch}-{n}@example.test"), "Queued")).await;
        }
        let before = app.queries();
        let page = admin.get("/admin/mail?status=queued").await;
        per_page.push(app.queries() - before);
        page.assert_status(200).assert_contains(&format!("q{batch}-{}@example.test", batch - 1));
    }
    assert_eq!(per_page[0], per_page[1], "statements per page: {per_page:?}");
    let page = admin.get("/admin/mail?status=queued&page=3").await;
    page.assert_contains("51–63 of 63");
}

/// The built binary, serving until dropped.
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_server_binary_delivers_queued_email_from_its_own_scheduler_over_smtp() {
    let (smtp_port, received) = smtp_server();
    let db = crate::support::TestDb::create();
    let data = tempfile::tempdir().unwrap();
    let http_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let served = Served(
        std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
            .env("DATABASE_URL", &db.url)
            .env("PALISADE_DATA_DIR", data.path())
            .env("PALISADE_BIND", format!("127.0.0.1:{http_port}"))
            .env("PALISADE_SMTP_HOST", "127.0.0.1")
            .env("PALISADE_SMTP_PORT", smtp_port.to_string())
            .env("PALISADE_SMTP_SECURITY", "none")
            .env("PALISADE_LOG", "warn")
            .env_remove("PALISADE_MAIL_TRANSPORT")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start palisade"),
    );
    // Queue an email straight into the served database, as a request's transaction would.
    let opened = palisade::db::Db::open(&db.url, 1).unwrap();
    let mail = message("binary@example.test", "From the running server");
    outbox::enqueue(&mut opened.conn().unwrap(), chrono::Utc::now().naive_utc(), &mail).unwrap();
    // Wait (bounded) for the server's scheduler to deliver it.
    let started = std::time::Instant::now();
    while received.lock().unwrap().is_empty() {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the server delivered nothing");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let delivered = received.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1);
    assert_eq!(read_message(&delivered[0].data).subject, "From the running server");
    drop(served);
}
