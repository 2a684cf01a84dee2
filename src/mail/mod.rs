//! Outgoing email: one `Mailer` with three transports (SMTP in production, a file outbox by default so a fresh
//! install works offline, memory for tests), and the messages Palisade sends.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{Config, MailTransport, SmtpSecurity};

pub mod messages;

/// A message ready to send: text and HTML bodies.
#[derive(Clone, Debug)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(PathBuf),
    Memory(Arc<Mutex<Vec<OutgoingMail>>>),
}

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

#[derive(Debug, thiserror::Error)]
#[error("email to {to} could not be sent: {reason}")]
pub struct MailError {
    pub to: String,
    pub reason: String,
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Mailer, String> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| format!("PALISADE_MAIL_FROM: {e}"))?;
        let transport = match &config.mail {
            MailTransport::File => Transport::File(config.outbox_dir()),
            MailTransport::Memory => Transport::Memory(Arc::default()),
            MailTransport::Smtp(smtp) => {
                let builder = match smtp.security {
                    SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host),
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
                    SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)),
                }
                .map_err(|e| format!("PALISADE_SMTP_HOST: {e}"))?;
                let mut builder = builder.port(smtp.port);
                if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                Transport::Smtp(builder.build())
            }
        };
        Ok(Mailer { transport, from })
    }

    /// A memory mailer (tests).
    pub fn memory(from: &str) -> Mailer {
        let from =
            from.parse().unwrap_or_else(|_| Mailbox::new(None, "no-reply@palisade.local".parse().expect("valid")));
        Mailer { transport: Transport::Memory(Arc::default()), from }
    }

    /// Messages kept by the memory transport, oldest first (empty for the others).
    pub fn sent(&self) -> Vec<OutgoingMail> {
        match &self.transport {
            Transport::Memory(sent) => sent.lock().map(|s| s.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    pub async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        let fail = |reason: String| MailError { to: mail.to.clone(), reason };
        let to: Mailbox = mail.to.parse().map_err(|e| fail(format!("bad address: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
            .map_err(|e| fail(e.to_string()))?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| fail(e.to_string())),
            Transport::File(dir) => write_outbox(dir.clone(), message.formatted()).await.map_err(fail),
            Transport::Memory(sent) => {
                sent.lock().map_err(|_| fail("mailbox poisoned".into()))?.push(mail.clone());
                Ok(())
            }
        }
    }
}

/// Writes one message as `<time>-<id>.eml` in the outbox directory.
async fn write_outbox(dir: PathBuf, bytes: Vec<u8>) -> Result<(), String> {
    actix_web::web::block(move || {
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create outbox {}: {e}", dir.display()))?;
        let name = format!("{}-{}.eml", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"), uuid::Uuid::now_v7());
        std::fs::write(dir.join(name), bytes).map_err(|e| format!("cannot write to outbox: {e}"))
    })
    .await
    .map_err(|e| e.to_string())?
}
