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
