//! IMAP polling through the `Mailbox` trait (no IMAP server crate fit for an in-process test is maintained; the
//! async-imap side is a thin adapter): unseen messages processed and marked, each claimed once across instances,
//! a failure leaving the rest unseen for the next poll.

use std::collections::BTreeMap;

use palisade::psa::inbound::imap::{self, Fetched, Mailbox};

use super::{message, outcomes, tickets_of};
use crate::desk::contact;
use crate::support::{TestApp, fixture};

/// A mailbox in memory: messages by UID, which are seen, and a UID whose fetch fails.
#[derive(Default)]
struct FakeMailbox {
    messages: BTreeMap<u32, Vec<u8>>,
    seen: Vec<u32>,
    failing: Option<u32>,
}

impl Mailbox for FakeMailbox {
    async fn unseen(&mut self) -> Result<(u32, Vec<u32>), String> {
        Ok((7, self.messages.keys().filter(|uid| !self.seen.contains(uid)).copied().collect()))
    }

    async fn fetch(&mut self, uid: u32, limit: u64) -> Result<Option<Fetched>, String> {
        if self.failing == Some(uid) {
            return Err("connection lost".into());
        }
        Ok(self.messages.get(&uid).map(|m| m[..m.len().min(limit as usize + 1)].to_vec()))
    }

    async fn done(&mut self, uid: u32) -> Result<(), String> {
        self.seen.push(uid);
        Ok(())
    }
}

#[actix_web::test]
async fn unseen_messages_are_processed_once_and_marked() {
    let app = TestApp::with_config(&[("PALISADE_INBOUND_DOMAINS", "help.test")]).await;
    let f = fixture::msp(&mut app.conn());
    contact(&mut app.conn(), &f.t2, "Ann Lee", "ann@legal.test");
    let msp = palisade::orgs::find_org(&mut app.conn(), &f.msp).unwrap().unwrap();
    let mut mailbox = FakeMailbox::default();
    for (uid, subject) in [(3, "Printer"), (5, "Scanner"), (9, "Fax")] {
        let raw = message("ann@legal.test", "support@northwind.test", subject, &[], "Broken.");
        mailbox.messages.insert(uid, raw.into_bytes());
    }
    mailbox.failing = Some(9);
    let err = imap::poll(&app.state, &mut mailbox, "support@imap.test/INBOX", msp.clone()).await;
    assert!(err.is_err(), "the failed fetch stops the poll");
    assert_eq!(mailbox.seen, [3, 5], "what was stored is marked, the rest stays unseen");
    assert_eq!(tickets_of(&mut app.conn(), &f.t2).len(), 2);

    mailbox.failing = None;
    let polled = imap::poll(&app.state, &mut mailbox, "support@imap.test/INBOX", msp.clone()).await.unwrap();
    assert_eq!((polled.processed, polled.skipped), (1, 0));
    assert_eq!(tickets_of(&mut app.conn(), &f.t2).len(), 3);

    // A second instance finds the same messages unseen (its mark was lost): it only marks them.
    mailbox.seen.clear();
    let second = app.second_instance();
    let polled = imap::poll(&second, &mut mailbox, "support@imap.test/INBOX", msp).await.unwrap();
    assert_eq!((polled.processed, polled.skipped), (0, 3));
    assert_eq!(tickets_of(&mut app.conn(), &f.t2).len(), 3, "no message processed twice");
    assert!(outcomes(&mut app.conn()).iter().all(|o| o.0 == "ticket_opened"));
}

#[actix_web::test]
async fn the_job_is_quiet_without_imap_settings() {
    let app = TestApp::new().await;
    let outcomes = app.run_pending_jobs().await;
    let text = format!("{outcomes:?}");
    assert!(text.contains("IMAP polling is off"), "{text}");
}

/// A scripted IMAP server on loopback (plain TCP) speaking just what polling sends: LOGIN, SELECT, UID SEARCH,
/// UID FETCH, UID STORE, LOGOUT. It serves `messages` (uid, bytes) and records the UIDs flagged \Seen.
async fn scripted_imap(
    messages: Vec<(u32, Vec<u8>)>,
) -> (std::net::SocketAddr, std::sync::Arc<std::sync::Mutex<Vec<u32>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let marks = seen.clone();
    actix_web::rt::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"* OK scripted IMAP ready\r\n").await.unwrap();
        while let Ok(Some(line)) = lines.next_line().await {
            let (tag, command) = line.split_once(' ').unwrap_or((&line, ""));
            let upper = command.to_ascii_uppercase();
            let mut out: Vec<u8> = Vec::new();
            if upper.starts_with("SELECT") {
                out.extend(b"* 2 EXISTS\r\n* OK [UIDVALIDITY 7] UIDs valid\r\n");
            } else if upper.starts_with("UID SEARCH") {
                let unseen: Vec<String> = messages
                    .iter()
                    .filter(|(uid, _)| !marks.lock().unwrap().contains(uid))
                    .map(|(uid, _)| uid.to_string())
                    .collect();
                out.extend(format!("* SEARCH {}\r\n", unseen.join(" ")).into_bytes());
            } else if upper.starts_with("UID FETCH") {
                let uid: u32 = command.split(' ').nth(2).unwrap().parse().unwrap();
                let (_, body) = messages.iter().find(|(u, _)| *u == uid).unwrap();
                out.extend(format!("* 1 FETCH (UID {uid} BODY[]<0> {{{}}}\r\n", body.len()).into_bytes());
                out.extend(body);
                out.extend(b")\r\n");
            } else if upper.starts_with("UID STORE") {
                let uid: u32 = command.split(' ').nth(2).unwrap().parse().unwrap();
                marks.lock().unwrap().push(uid);
                out.extend(format!("* 1 FETCH (UID {uid} FLAGS (\\Seen))\r\n").into_bytes());
            } else if upper.starts_with("LOGOUT") {
                out.extend(b"* BYE logging out\r\n");
            }
            out.extend(format!("{tag} OK done\r\n").into_bytes());
            write.write_all(&out).await.unwrap();
            if upper.starts_with("LOGOUT") {
                break;
            }
        }
    });
    (addr, seen)
}

#[actix_web::test]
async fn the_async_imap_mailbox_reads_and_marks_messages_on_a_real_connection() {
    let app = TestApp::with_config(&[("PALISADE_INBOUND_DOMAINS", "help.test")]).await;
    let f = fixture::msp(&mut app.conn());
    contact(&mut app.conn(), &f.t2, "Ann Lee", "ann@legal.test");
    let messages: Vec<(u32, Vec<u8>)> = [(11, "Monitor flickers"), (12, "Mouse dead")]
        .iter()
        .map(|(uid, subject)| {
            (*uid, message("ann@legal.test", "support@northwind.test", subject, &[], "Help.").into_bytes())
        })
        .collect();
    let (addr, seen) = scripted_imap(messages).await;
    let settings = palisade::config::ImapSettings {
        host: addr.ip().to_string(),
        port: addr.port(),
        tls: false,
        username: "support".into(),
        password: "secret".into(),
        mailbox: "INBOX".into(),
        done_folder: None,
        org_slug: "northwind-managed-it".into(),
    };
    let mut mailbox = imap::ImapMailbox::connect(&settings).await.expect("signed in and selected");
    let msp = palisade::orgs::find_org(&mut app.conn(), &f.msp).unwrap().unwrap();
    let polled = imap::poll(&app.state, &mut mailbox, "support@test/INBOX", msp).await.unwrap();
    mailbox.logout().await;
    assert_eq!((polled.processed, polled.skipped), (2, 0));
    assert_eq!(*seen.lock().unwrap(), [11, 12]);
    let subjects: Vec<String> = tickets_of(&mut app.conn(), &f.t2).into_iter().map(|t| t.1).collect();
    assert_eq!(subjects, ["Monitor flickers", "Mouse dead"]);
}
