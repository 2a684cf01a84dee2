//! One parser for every source: a raw RFC 5322 message (SMTP or IMAP) becomes an `InboundMail` with what routing
//! needs (sender, recipients, threading headers, automatic-mail markers, text, attachments), or a `Malformed`
//! reason. Pure: no database, no storage; the parser never panics on hostile input (mail-parser is fuzzed, and a
//! panic would be caught and reported as malformed all the same).

use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders};

use super::trim;

/// The most attachments one message may carry onto a ticket; more are refused with the message.
pub const MAX_ATTACHMENTS: usize = 20;

/// A received message, parsed.
#[derive(Clone, Debug, Default)]
pub struct InboundMail {
    /// Lower-cased sender address (From).
    pub from: String,
    pub from_name: String,
    /// Every address in To, Cc, Delivered-To and X-Original-To, lower-cased.
    pub recipients: Vec<String>,
    pub subject: String,
    /// With angle brackets, as stored for threading ("<id@host>"); "" when the message has none.
    pub message_id: String,
    /// In-Reply-To then References, newest first, each "<id@host>".
    pub thread_ids: Vec<String>,
    /// Why this message is an automatic reply (out-of-office, list mail), if it is one.
    pub auto_reply: Option<String>,
    /// Why this message is a delivery report (bounce), if it is one.
    pub bounce: Option<String>,
    /// The whole text of the message (the HTML part as text when there is no text part).
    pub text: String,
    /// The text without quoted history and signature: what lands on the ticket.
    pub trimmed: String,
    pub attachments: Vec<InboundAttachment>,
}

#[derive(Clone, Debug)]
pub struct InboundAttachment {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Why a message could not be read as an email.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

/// Parses a raw message. `envelope_from` is the SMTP MAIL FROM ("" for the null reverse path, None when the
/// source has no envelope, as with IMAP: then the Return-Path header stands for it).
pub fn parse(raw: &[u8], envelope_from: Option<&str>) -> Result<InboundMail, Malformed> {
    match std::panic::catch_unwind(|| parse_inner(raw, envelope_from)) {
        Ok(result) => result,
        Err(_) => Err(Malformed("the message could not be parsed".into())),
    }
}

fn parse_inner(raw: &[u8], envelope_from: Option<&str>) -> Result<InboundMail, Malformed> {
    if !has_header_block(raw) {
        return Err(Malformed("the message has no header section".into()));
    }
    let message = MessageParser::default().parse(raw).ok_or_else(|| Malformed("not a MIME message".into()))?;
    let sender = message.from().and_then(Address::first);
    let from = sender.and_then(|a| a.address()).map(|a| a.trim().to_lowercase()).unwrap_or_default();
    if !is_address(&from) {
        return Err(Malformed("the message has no sender address (From)".into()));
    }
    let from_name = sender.and_then(|a| a.name()).map(clean_line).unwrap_or_default();
    let text = body_text(&message);
    let attachments = attachments(&message)?;
    Ok(InboundMail {
        recipients: recipients(&message),
        subject: message.subject().map(clean_line).unwrap_or_default(),
        message_id: message.message_id().map(bracketed).unwrap_or_default(),
        thread_ids: thread_ids(&message),
        auto_reply: auto_reply(&message, envelope_from, &from),
        bounce: bounce(&message, envelope_from, &from),
        trimmed: trim::trim(&text),
        text,
        attachments,
        from,
        from_name,
    })
}

/// At least one "Name: value" line before the first blank line: what separates a message from noise.
fn has_header_block(raw: &[u8]) -> bool {
    let head = &raw[..raw.len().min(8192)];
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let colon = first_line.iter().position(|b| *b == b':');
    matches!(colon, Some(at) if at > 0 && first_line[..at].iter().all(|b| b.is_ascii_graphic()))
}

/// A plausible mailbox: one @ with text either side and no spaces or control characters.
pub fn is_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && address.len() <= 254
        && address.chars().all(|c| c.is_ascii_graphic() || (!c.is_ascii() && !c.is_control()))
}

/// One line of text: control characters (folded headers, smuggled CR/LF) become spaces, at most 250 characters.
fn clean_line(text: &str) -> String {
    let line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(250).collect();
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn bracketed(id: &str) -> String {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    if id.is_empty() || id.len() > 250 || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return String::new();
    }
    format!("<{id}>")
}

fn id_list(value: &HeaderValue) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![bracketed(id)],
        HeaderValue::TextList(ids) => ids.iter().map(|id| bracketed(id)).collect(),
        _ => Vec::new(),
    }
}

/// In-Reply-To first, then References from the newest; each once, at most 50.
fn thread_ids(message: &Message) -> Vec<String> {
    let mut ids = id_list(message.in_reply_to());
    ids.extend(id_list(message.references()).into_iter().rev());
    let mut seen = Vec::new();
    for id in ids {
        if !id.is_empty() && !seen.contains(&id) && seen.len() < 50 {
            seen.push(id);
        }
    }
    seen
}

fn addresses_of(address: Option<&Address>, into: &mut Vec<String>) {
    if let Some(address) = address {
        for addr in address.iter() {
            if let Some(a) = addr.address() {
                let a = a.trim().to_lowercase();
                if is_address(&a) && !into.contains(&a) {
                    into.push(a);
                }
            }
        }
    }
}

fn recipients(message: &Message) -> Vec<String> {
    let mut all = Vec::new();
    addresses_of(message.to(), &mut all);
    addresses_of(message.cc(), &mut all);
    for name in ["Delivered-To", "X-Original-To"] {
        if let Some(raw) = message.header_raw(name) {
            let a = raw.trim().trim_matches(['<', '>']).to_lowercase();
            if is_address(&a) && !all.contains(&a) {
                all.push(a);
            }
        }
    }
    all.truncate(100);
    all
}

fn header_text(message: &Message, name: &str) -> String {
    message.header_raw(name).map(|v| v.trim().to_ascii_lowercase()).unwrap_or_default()
}

/// An automatic reply (RFC 3834 Auto-Submitted, the vendors' X-Autoreply family, Precedence bulk/list/junk,
/// list mail) or mail with a null return path: answering it could start a mail loop.
fn auto_reply(message: &Message, envelope_from: Option<&str>, from: &str) -> Option<String> {
    let auto_submitted = header_text(message, "Auto-Submitted");
    if !auto_submitted.is_empty() && auto_submitted != "no" {
        return Some(format!("Auto-Submitted: {auto_submitted}"));
    }
    for name in ["X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response"] {
        if message.header_raw(name).is_some() {
            return Some(format!("{name} header"));
        }
    }
    let precedence = header_text(message, "Precedence");
    if ["bulk", "auto_reply", "list", "junk"].contains(&precedence.as_str()) {
        return Some(format!("Precedence: {precedence}"));
    }
    if message.header_raw("List-Id").is_some() || message.header_raw("List-Unsubscribe").is_some() {
        return Some("mailing-list mail".into());
    }
    if null_return_path(message, envelope_from) {
        return Some("null return path".into());
    }
    let local = from.split('@').next().unwrap_or_default();
    if ["mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply", "donotreply"].contains(&local) {
        return Some(format!("sent from {local}@"));
    }
    None
}

fn null_return_path(message: &Message, envelope_from: Option<&str>) -> bool {
    match envelope_from {
        Some(envelope) => envelope.trim().trim_matches(['<', '>']).is_empty(),
        None => message.header_raw("Return-Path").is_some_and(|v| v.trim().trim_matches(['<', '>']).trim().is_empty()),
    }
}

/// A delivery status notification (RFC 3464 multipart/report) or a daemon's failure notice.
fn bounce(message: &Message, envelope_from: Option<&str>, from: &str) -> Option<String> {
    if let Some(ct) = message.content_type()
        && ct.ctype().eq_ignore_ascii_case("multipart")
        && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
    {
        let kind = ct.attribute("report-type").unwrap_or("report").to_ascii_lowercase();
        return Some(format!("multipart/report ({kind})"));
    }
    let local = from.split('@').next().unwrap_or_default();
    let daemon = local == "mailer-daemon" || local == "postmaster";
    if daemon && null_return_path(message, envelope_from) {
        return Some(format!("failure notice from {local}@"));
    }
    if message.header_raw("X-Failed-Recipients").is_some() {
        return Some("X-Failed-Recipients header".into());
    }
    None
}

/// The text the person wrote: the first text part, else the HTML part as text; line endings normalised.
fn body_text(message: &Message) -> String {
    let text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.chars().filter(|c| *c == '\n' || *c == '\t' || !c.is_control()).collect::<String>().trim().to_string()
}

fn attachments(message: &Message) -> Result<Vec<InboundAttachment>, Malformed> {
    let mut files = Vec::new();
    for (n, part) in message.attachments().enumerate() {
        if part.is_message() && part.attachment_name().is_none() {
            // A forwarded message inline: its text is already in the body.
            continue;
        }
        if files.len() == MAX_ATTACHMENTS {
            return Err(Malformed(format!("more than {MAX_ATTACHMENTS} attachments")));
        }
        let filename = part.attachment_name().map(safe_filename).filter(|f| !f.is_empty());
        files.push(InboundAttachment {
            filename: filename.unwrap_or_else(|| format!("attachment-{}", n + 1)),
            bytes: part.contents().to_vec(),
        });
    }
    Ok(files)
}

/// A file name without directories or control characters, at most 120 characters.
fn safe_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    cleaned.trim().trim_start_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(headers: &str, body: &str) -> Vec<u8> {
        format!("{headers}\r\n\r\n{body}").into_bytes()
    }

    #[test]
    fn reads_sender_recipients_threading_and_text() {
        let raw = mail(
            "From: Ann Lee <Ann@Legal.TEST>\r\nTo: legal@help.test, Bob <bob@x.test>\r\nCc: c@y.test\r\n\
             Subject: Re: [#4] Printer\r\nMessage-ID: <m2@legal.test>\r\nIn-Reply-To: <a@h>\r\n\
             References: <root@h> <a@h>",
            "Still broken.\r\n\r\nOn Mon, Tom wrote:\r\n> did you restart it?",
        );
        let m = parse(&raw, Some("ann@legal.test")).unwrap();
        assert_eq!(m.from, "ann@legal.test");
        assert_eq!(m.from_name, "Ann Lee");
        assert_eq!(m.recipients, ["legal@help.test", "bob@x.test", "c@y.test"]);
        assert_eq!(m.subject, "Re: [#4] Printer");
        assert_eq!(m.message_id, "<m2@legal.test>");
        assert_eq!(m.thread_ids, ["<a@h>", "<root@h>"]);
        assert_eq!(m.trimmed, "Still broken.");
        assert!(m.text.contains("did you restart it?"));
        assert!(m.auto_reply.is_none() && m.bounce.is_none());
    }

    #[test]
    fn automatic_mail_is_recognised() {
        let cases = [
            "Auto-Submitted: auto-replied",
            "X-Autoreply: yes",
            "Precedence: bulk",
            "Precedence: auto_reply",
            "List-Id: <news.example>",
        ];
        for header in cases {
            let raw = mail(&format!("From: a@b.test\r\nSubject: Out of office\r\n{header}"), "Away.");
            assert!(parse(&raw, Some("a@b.test")).unwrap().auto_reply.is_some(), "{header}");
        }
        let plain = mail("From: a@b.test\r\nAuto-Submitted: no\r\nSubject: hi", "Hello");
        assert!(parse(&plain, Some("a@b.test")).unwrap().auto_reply.is_none());
        let null_envelope = parse(&plain, Some("")).unwrap();
        assert_eq!(null_envelope.auto_reply.as_deref(), Some("null return path"));
        let null_header = mail("Return-Path: <>\r\nFrom: a@b.test\r\nSubject: hi", "Hello");
        assert!(parse(&null_header, None).unwrap().auto_reply.is_some());
    }

    #[test]
    fn delivery_reports_are_bounces() {
        let raw = mail(
            "From: Mail Delivery System <MAILER-DAEMON@mx.test>\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"",
            "--b\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n--b\r\n\
             Content-Type: message/delivery-status\r\n\r\nAction: failed\r\n--b--\r\n",
        );
        let m = parse(&raw, Some("")).unwrap();
        assert_eq!(m.bounce.as_deref(), Some("multipart/report (delivery-status)"));
    }

    #[test]
    fn garbage_and_senderless_messages_are_malformed() {
        assert!(parse(b"", None).is_err());
        assert!(parse(b"\x00\x01\x02 binary noise \xff\xfe", None).is_err());
        assert!(parse(b"just some text\r\nwithout headers", None).is_err());
        assert!(parse(&mail("Subject: no sender", "x"), None).is_err());
        assert!(parse(&mail("From: not an address", "x"), None).is_err());
        assert!(parse(&mail("From: a@b.test", "x"), None).is_ok());
    }

    #[test]
    fn attachments_keep_safe_names() {
        let raw = mail(
            "From: a@b.test\r\nSubject: log\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"",
            "--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: text/plain\r\n\
             Content-Disposition: attachment; filename=\"../../etc/passwd\"\r\n\r\nroot:x\r\n--b--\r\n",
        );
        let m = parse(&raw, None).unwrap();
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].filename, "passwd");
        assert_eq!(m.attachments[0].bytes, b"root:x");
    }

    #[test]
    fn header_values_cannot_smuggle_lines() {
        let raw = mail("From: \"Eve\r\n Injected\" <e@v.test>\r\nSubject: a\r\n\tb", "x");
        let m = parse(&raw, None).unwrap();
        assert!(!m.subject.contains('\n') && !m.from_name.contains('\n'));
    }
}
