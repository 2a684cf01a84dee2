//! Settings from the environment (PALISADE_*, DATABASE_URL), with defaults that run out of the box.
//!
//! Every setting is validated up front: a bad one stops start-up with one line naming the variable and why.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine;

/// How outgoing email leaves the process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailTransport {
    /// Write every message as an .eml file under `<data dir>/outbox` (the default: works offline).
    File,
    /// Deliver through an SMTP relay.
    Smtp(SmtpSettings),
    /// Keep messages in memory (tests).
    Memory,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `starttls` (default), `tls` (implicit TLS, port 465) or `none` (plain; loopback relays and tests).
    pub security: SmtpSecurity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    StartTls,
    Tls,
    None,
}

#[derive(Clone)]
pub struct Config {
    pub bind: SocketAddr,
    /// Public base URL, without a trailing slash; used in emailed links and the same-origin check.
    pub base_url: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub session_key: [u8; 64],
    pub mail: MailTransport,
    pub mail_from: String,
    pub log_level: String,
    pub db_pool_size: u32,
    pub workers: usize,
    /// Trust X-Forwarded-For for the client IP (only behind a proxy you control).
    pub trust_proxy: bool,
}

impl std::fmt::Debug for Config {
    // Hand-written so that the session key and SMTP password never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("base_url", &self.base_url)
            .field("data_dir", &self.data_dir)
            .field("database", &redact_url(&self.database_url))
            .field("mail", &self.mail_label())
            .field("log_level", &self.log_level)
            .finish_non_exhaustive()
    }
}

/// One bad setting: which variable and why, printed as one line at start-up.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

fn bad(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError { var, reason: reason.into() }
}

impl Config {
    /// Reads the process environment. The session key file may be created in the data directory.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Builds the configuration from any variable lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let bind_text = get("PALISADE_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            bad("PALISADE_BIND", format!("'{bind_text}' is not an address:port such as 127.0.0.1:8080"))
        })?;
        let base_url = parse_base_url(get("PALISADE_BASE_URL"), bind)?;
        let data_dir = PathBuf::from(get("PALISADE_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match get("DATABASE_URL") {
            Some(url) => validate_database_url(&url)?,
            None => format!("sqlite://{}", data_dir.join("palisade.db").display()),
        };
        let session_key = match get("PALISADE_SESSION_KEY") {
            Some(text) => decode_session_key(&text)?,
            None => load_or_create_session_key(&data_dir)?,
        };
        let mail = parse_mail_transport(&get)?;
        let mail_from = get("PALISADE_MAIL_FROM").unwrap_or_else(|| "Palisade <no-reply@palisade.local>".into());
        mail_from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| bad("PALISADE_MAIL_FROM", format!("'{mail_from}' is not a mailbox: {e}")))?;
        let log_level = get("PALISADE_LOG").unwrap_or_else(|| "info".into());
        tracing_subscriber::EnvFilter::try_new(&log_level)
            .map_err(|e| bad("PALISADE_LOG", format!("'{log_level}' is not a log filter: {e}")))?;
        Ok(Config {
            bind,
            base_url,
            data_dir,
            database_url,
            session_key,
            mail,
            mail_from,
            log_level,
            db_pool_size: parse_number(&get, "PALISADE_DB_POOL_SIZE", 16, 1..=256)?,
            workers: parse_number(&get, "PALISADE_WORKERS", default_workers(), 1..=256)?,
            trust_proxy: parse_bool(&get, "PALISADE_TRUST_PROXY", false)?,
        })
    }

    /// Secure cookies everywhere except plain-http local development.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    pub fn mail_label(&self) -> String {
        match &self.mail {
            MailTransport::File => format!("file outbox at {}", self.outbox_dir().display()),
            MailTransport::Smtp(s) => format!("SMTP {}:{}", s.host, s.port),
            MailTransport::Memory => "memory".into(),
        }
    }
}

fn default_workers() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

fn parse_base_url(value: Option<String>, bind: SocketAddr) -> Result<String, ConfigError> {
    let url = value.unwrap_or_else(|| format!("http://{bind}"));
    let trimmed = url.trim_end_matches('/').to_string();
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))
        .ok_or_else(|| bad("PALISADE_BASE_URL", format!("'{url}' must start with http:// or https://")))?;
    if rest.is_empty() || rest.contains('/') || rest.contains(' ') {
        return Err(bad(
            "PALISADE_BASE_URL",
            format!("'{url}' must be scheme://host[:port] with no path, e.g. https://palisade.example.com"),
        ));
    }
    Ok(trimmed)
}

fn validate_database_url(url: &str) -> Result<String, ConfigError> {
    let known = ["sqlite://", "postgres://", "postgresql://"];
    if known.iter().any(|p| url.starts_with(p)) {
        Ok(url.to_string())
    } else {
        Err(bad(
            "DATABASE_URL",
            "must start with sqlite:// (e.g. sqlite://./data/palisade.db) or postgres:// (e.g. postgres://user@host/db)",
        ))
    }
}

fn decode_session_key(text: &str) -> Result<[u8; 64], ConfigError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| bad("PALISADE_SESSION_KEY", "must be base64 (generate one with: openssl rand -base64 64)"))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| bad("PALISADE_SESSION_KEY", format!("must decode to 64 bytes, got {}", b.len())))
}

/// The key signing and encrypting session cookies. Generated on first start and kept, owner-readable only, so
/// sessions survive restarts.
fn load_or_create_session_key(data_dir: &Path) -> Result<[u8; 64], ConfigError> {
    const VAR: &str = "PALISADE_DATA_DIR";
    let path = data_dir.join("session.key");
    if path.exists() {
        let text =
            std::fs::read_to_string(&path).map_err(|e| bad(VAR, format!("cannot read {}: {e}", path.display())))?;
        return decode_session_key(&text).map_err(|e| {
            bad(VAR, format!("{} is damaged ({}); delete it to make a new one", path.display(), e.reason))
        });
    }
    std::fs::create_dir_all(data_dir).map_err(|e| bad(VAR, format!("cannot create {}: {e}", data_dir.display())))?;
    let mut key = [0u8; 64];
    rand::Rng::fill(&mut rand::rng(), &mut key[..]);
    let encoded = base64::engine::general_purpose::STANDARD.encode(key);
    write_owner_only(&path, &encoded).map_err(|e| bad(VAR, format!("cannot write {}: {e}", path.display())))?;
    Ok(key)
}

fn write_owner_only(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

fn parse_mail_transport(get: &impl Fn(&str) -> Option<String>) -> Result<MailTransport, ConfigError> {
    let choice = get("PALISADE_MAIL_TRANSPORT");
    let host = get("PALISADE_SMTP_HOST");
    match (choice.as_deref(), host) {
        (None | Some("file"), None) => Ok(MailTransport::File),
        (Some("file"), Some(_)) => Ok(MailTransport::File),
        (Some("memory"), _) => Ok(MailTransport::Memory),
        (None | Some("smtp"), Some(host)) => Ok(MailTransport::Smtp(parse_smtp(get, host)?)),
        (Some("smtp"), None) => Err(bad("PALISADE_SMTP_HOST", "is required when PALISADE_MAIL_TRANSPORT=smtp")),
        (Some(other), _) => Err(bad("PALISADE_MAIL_TRANSPORT", format!("'{other}' is not one of file, smtp, memory"))),
    }
}

fn parse_smtp(get: &impl Fn(&str) -> Option<String>, host: String) -> Result<SmtpSettings, ConfigError> {
    let security = match get("PALISADE_SMTP_SECURITY").as_deref() {
        None | Some("starttls") => SmtpSecurity::StartTls,
        Some("tls") => SmtpSecurity::Tls,
        Some("none") => SmtpSecurity::None,
        Some(other) => {
            return Err(bad("PALISADE_SMTP_SECURITY", format!("'{other}' is not one of starttls, tls, none")));
        }
    };
    let default_port = match security {
        SmtpSecurity::Tls => 465,
        SmtpSecurity::StartTls => 587,
        SmtpSecurity::None => 25,
    };
    let port = parse_number(get, "PALISADE_SMTP_PORT", default_port, 1..=65535)?;
    let username = get("PALISADE_SMTP_USERNAME");
    let password = get("PALISADE_SMTP_PASSWORD");
    if username.is_some() != password.is_some() {
        return Err(bad("PALISADE_SMTP_PASSWORD", "PALISADE_SMTP_USERNAME and PALISADE_SMTP_PASSWORD go together"));
    }
    Ok(SmtpSettings { host, port, username, password, security })
}

fn parse_number<T>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(text) = get(var) else { return Ok(default) };
    match text.trim().parse::<T>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(bad(var, format!("'{text}' is not a whole number from {} to {}", range.start(), range.end()))),
    }
}

fn parse_bool(get: &impl Fn(&str) -> Option<String>, var: &'static str, default: bool) -> Result<bool, ConfigError> {
    match get(var).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(bad(var, format!("'{other}' is not true or false"))),
    }
}

/// The URL with any password replaced, for logs and error messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    match rest.split_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}
