//! The `Mailer`: builds the MIME message and hands it to one of lettre's transports: SMTP (production), the
//! file transport (default: each message an `.eml` file in `<data dir>/outbox`, so a fresh install works offline
//! and you can read what was sent) or the stub transport (tests read what was delivered).

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::stub::AsyncStubTransport;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::OutgoingMail;
use crate::config::{Config, MailTransport, SmtpSecurity};

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File { transport: AsyncFileTransport<Tokio1Executor>, dir: std::path::PathBuf },
    Stub(AsyncStubTransport),
}

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

/// Why a message was not delivered. Permanent failures (a malformed address, a mailbox the server says does
/// not exist) are not retried.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{reason}")]
pub struct SendError {
    pub reason: String,
    pub permanent: bool,
}

impl SendError {
    pub fn permanent(reason: impl Into<String>) -> SendError {
        SendError { reason: reason.into(), permanent: true }
    }
    pub fn temporary(reason: impl Into<String>) -> SendError {
        SendError { reason: reason.into(), permanent: false }
    }
}

/// The bytes of one attachment, read from storage.
pub struct AttachmentBytes {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Mailer, String> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| format!("PALISADE_MAIL_FROM: {e}"))?;
        let transport = match &config.mail {
            MailTransport::File => {
                let dir = config.outbox_dir();
                Transport::File { transport: AsyncFileTransport::new(&dir), dir }
            }
            MailTransport::Memory => Transport::Stub(AsyncStubTransport::new_ok()),
            MailTransport::Smtp(smtp) => {
                let builder = match smtp.security {
                    SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host),
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
                    SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)),
                }
                .map_err(|e| format!("PALISADE_SMTP_HOST: {e}"))?;
                let mut builder = builder.port(smtp.port).timeout(Some(std::time::Duration::from_secs(30)));
                if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                Transport::Smtp(builder.build())
            }
        };
        Ok(Mailer { transport, from })
    }

    /// Messages the stub transport (`PALISADE_MAIL_TRANSPORT=memory`) has delivered, oldest first, as raw RFC
    /// 5322 text; empty for the other transports.
    pub async fn delivered(&self) -> Vec<String> {
        match &self.transport {
            Transport::Stub(stub) => stub.messages().await.into_iter().map(|(_, raw)| raw).collect(),
            _ => Vec::new(),
        }
    }

    /// Delivers one message now. (Handlers never call this: they `enqueue`.)
    pub async fn send(&self, mail: &OutgoingMail, attachments: Vec<AttachmentBytes>) -> Result<(), SendError> {
        let message = self.build(mail, attachments)?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| SendError { permanent: e.is_permanent(), reason: crate::error::error_chain(&e) }),
            Transport::File { transport, dir } => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| SendError::temporary(format!("cannot create the outbox {}: {e}", dir.display())))?;
                transport.send(message).await.map(|_| ()).map_err(|e| SendError::temporary(e.to_string()))
            }
            Transport::Stub(stub) => stub.send(message).await.map_err(|e| SendError::temporary(e.to_string())),
        }
    }

    fn build(&self, mail: &OutgoingMail, attachments: Vec<AttachmentBytes>) -> Result<Message, SendError> {
        let to: Mailbox =
            mail.to.parse().map_err(|e| SendError::permanent(format!("'{}' is not an email address: {e}", mail.to)))?;
        let headers = &mail.headers;
        let from = match &headers.from_name {
            Some(name) => Mailbox::new(Some(name.clone()), self.from.email.clone()),
            None => self.from.clone(),
        };
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject.clone())
            .message_id(headers.message_id.clone())
            // RFC 3834: automatic mail; well-behaved auto-responders do not answer it (no reply loops).
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".into()));
        if let Some(id) = &headers.in_reply_to {
            builder = builder.in_reply_to(id.clone());
        }
        if !headers.references.is_empty() {
            builder = builder.references(headers.references.join(" "));
        }
        if let Some(reply_to) = &headers.reply_to {
            let mailbox =
                reply_to.parse().map_err(|e| SendError::permanent(format!("bad Reply-To '{reply_to}': {e}")))?;
            builder = builder.reply_to(mailbox);
        }
        let body = MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone());
        let message = if attachments.is_empty() {
            builder.multipart(body)
        } else {
            let mut mixed = MultiPart::mixed().multipart(body);
            for file in attachments {
                mixed = mixed.singlepart(attachment_part(file)?);
            }
            builder.multipart(mixed)
        };
        message.map_err(|e| SendError::permanent(format!("the message could not be built: {e}")))
    }
}

fn attachment_part(file: AttachmentBytes) -> Result<SinglePart, SendError> {
    let content_type = ContentType::parse(&file.content_type)
        .or_else(|_| ContentType::parse("application/octet-stream"))
        .map_err(|e| SendError::permanent(format!("bad attachment type '{}': {e}", file.content_type)))?;
    Ok(Attachment::new(file.filename).body(file.bytes, content_type))
}
