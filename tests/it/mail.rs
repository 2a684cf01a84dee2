//! Email through a real SMTP conversation: an SMTP server embedded in the test (mailin-embedded) listens on
//! loopback, the application is configured as an operator would configure it (PALISADE_SMTP_HOST/PORT/SECURITY),
//! and an invitation sent through Settings -> Team Members arrives there as a proper MIME message.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use mail_parser::{MessageParser, PartType};
use mailin_embedded::{Handler, Response, Server, SslConfig};

use crate::support::{TestApp, fixture};

/// One message as a mail client reads it: headers decoded, bodies decoded from their transfer encoding.
pub struct ReadMessage {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// The text/html alternative, when the message has one.
    pub html: Option<String>,
}

/// Parses a raw RFC 5322 message (quoted-printable, base64 and soft line breaks undone).
pub fn read_message(raw: &[u8]) -> ReadMessage {
    let message = MessageParser::default().parse(raw).expect("a MIME message");
    let html = message.parts.iter().find_map(|part| match &part.body {
        PartType::Html(html) => Some(html.to_string()),
        _ => None,
    });
    ReadMessage {
        to: message.to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_string(),
        subject: message.subject().unwrap_or_default().to_string(),
        text: message.body_text(0).map(|t| t.to_string()).unwrap_or_default(),
        html,
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

/// Collects every delivery; mailin clones the handler per connection, so the store is shared.
#[derive(Clone, Default)]
struct Collector {
    received: Arc<Mutex<Vec<Delivery>>>,
    current: Option<Delivery>,
}

impl Handler for Collector {
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

#[actix_web::test]
async fn an_invitation_is_delivered_over_smtp_as_a_text_and_html_message() {
    let (port, received) = smtp_server();
    let app = smtp_app(port).await;
    let f = fixture::msp(&mut app.conn());
    let mut c = app.signed_in("admin@northwind.test").await;
    let resp = c.invite("Casey.New@Example.test", "MSP_TECHNICIAN").await;
    resp.assert_redirect("/settings/team");
    c.follow(&resp).await.assert_contains("Invitation sent to casey.new@example.test");

    let deliveries = received.lock().unwrap().clone();
    assert_eq!(deliveries.len(), 1, "one message reached the SMTP server");
    assert_eq!(deliveries[0].recipients, vec!["casey.new@example.test".to_string()], "envelope recipient");
    let message = read_message(&deliveries[0].data);
    assert_eq!(message.to, "casey.new@example.test");
    assert_eq!(message.subject, "Morgan Admin invited you to Northwind Managed IT on Palisade");
    assert!(message.text.contains("as MSP Technician"), "{}", message.text);
    let link = invitation_link(&message.text);
    assert!(link.starts_with("http://localhost/invitations/"), "the link uses PALISADE_BASE_URL: {link}");
    assert_eq!(link.len(), "http://localhost/invitations/".len() + 43, "the whole token: {link}");
    let html = message.html.expect("an HTML alternative");
    assert!(html.contains(&format!("href=\"{link}\"")), "the HTML part links to the same invitation:\n{html}");

    // The emailed link is the live invitation of this organization.
    let path = link.trim_start_matches("http://localhost");
    let mut stranger = app.client().await;
    stranger.get(path).await.assert_status(200).assert_contains("Join Northwind Managed IT");
    let open = fixture::count(
        &mut app.conn(),
        &format!(
            "SELECT COUNT(*) AS n FROM invitations WHERE org_id = '{}' AND email = 'casey.new@example.test' \
             AND accepted_at IS NULL",
            f.msp
        ),
    );
    assert_eq!(open, 1);
}

#[actix_web::test]
async fn an_unreachable_smtp_server_keeps_the_invitation_and_says_the_email_did_not_go_out() {
    // A port that nothing listens on any more.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = smtp_app(port).await;
    let f = fixture::msp(&mut app.conn());
    let mut c = app.signed_in("admin@northwind.test").await;
    let resp = c.invite("lost@example.test", "MSP_TECHNICIAN").await;
    resp.assert_redirect("/settings/team");
    c.follow(&resp)
        .await
        .assert_contains("The invitation to lost@example.test is saved, but the email could not be sent")
        .assert_not_contains("Invitation sent to");
    let saved = fixture::count(
        &mut app.conn(),
        &format!("SELECT COUNT(*) AS n FROM invitations WHERE org_id = '{}' AND email = 'lost@example.test'", f.msp),
    );
    assert_eq!(saved, 1, "the invitation is kept so that Resend can deliver it later");
}
