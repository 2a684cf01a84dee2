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

/// Where uploaded files live (see `storage`).
#[derive(Clone, PartialEq, Eq)]
pub enum StorageSettings {
    /// A directory on this machine (default `<data dir>/files`).
    Directory(PathBuf),
    /// S3-compatible object storage: `s3://bucket/prefix`, endpoint, region and credentials from the environment.
    S3(S3Settings),
}

#[derive(Clone, PartialEq, Eq)]
pub struct S3Settings {
    pub bucket: String,
    /// Key prefix inside the bucket, without leading or trailing slashes (may be empty).
    pub prefix: String,
    /// A non-AWS endpoint (MinIO, Ceph, moto...), e.g. `http://127.0.0.1:9000`; requests are then path-style.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
}

impl StorageSettings {
    pub fn label(&self) -> String {
        match self {
            StorageSettings::Directory(dir) => format!("directory {}", dir.display()),
            StorageSettings::S3(s3) => {
                let at = s3.endpoint.as_deref().map(|e| format!(" at {e}")).unwrap_or_default();
                format!("s3://{}/{}{at}", s3.bucket, s3.prefix)
            }
        }
    }
}

impl std::fmt::Debug for StorageSettings {
    // Never the secret key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
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
    /// Run the scheduler (email delivery and other scheduled work) in this instance (`PALISADE_JOBS`).
    pub jobs_enabled: bool,
    pub storage: StorageSettings,
    /// Largest accepted upload, in bytes (`PALISADE_UPLOAD_LIMIT_MB`).
    pub upload_limit_bytes: u64,
    /// Seconds a request body may take, plus one second per 500 bytes received (`PALISADE_BODY_TIMEOUT_SECS`).
    pub body_timeout_secs: u64,
    /// Email to tickets (`PALISADE_INBOUND_*`, `PALISADE_IMAP_*`); both sources off by default.
    pub inbound: InboundSettings,
}

/// Inbound email: the addresses the installation answers for, the SMTP receiver and IMAP polling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundSettings {
    /// Domains whose addresses name an organization by its slug: `acme@help.example.com` (`PALISADE_INBOUND_DOMAINS`).
    pub domains: Vec<String>,
    /// Where the SMTP receiver listens (`PALISADE_INBOUND_SMTP_BIND`); None: off.
    pub smtp_bind: Option<SocketAddr>,
    /// Largest message accepted, in bytes (`PALISADE_INBOUND_LIMIT_MB`, default 25).
    pub limit_bytes: u64,
    /// Messages one sender may send one mailbox per hour before the rest are held (`PALISADE_INBOUND_RATE_PER_HOUR`).
    pub rate_per_hour: i64,
    /// IMAP polling (`PALISADE_IMAP_HOST` and friends); None: off.
    pub imap: Option<ImapSettings>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    /// Implicit TLS (rustls; port 993) or, for a server on the same host only, plain.
    pub tls: bool,
    pub username: String,
    pub password: String,
    pub mailbox: String,
    /// Processed messages are moved here; without it they are only marked seen.
    pub done_folder: Option<String>,
    /// The slug of the organization the mailbox belongs to (usually the MSP).
    pub org_slug: String,
}

impl std::fmt::Debug for ImapSettings {
    // Hand-written: the password never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("mailbox", &self.mailbox)
            .field("org", &self.org_slug)
            .finish_non_exhaustive()
    }
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
            .field("jobs_enabled", &self.jobs_enabled)
            .field("storage", &self.storage)
            .field("inbound", &self.inbound)
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
            database_url,
            session_key,
            mail,
            mail_from,
            log_level,
            db_pool_size: parse_number(&get, "PALISADE_DB_POOL_SIZE", 16, 1..=256)?,
            workers: parse_number(&get, "PALISADE_WORKERS", default_workers(), 1..=256)?,
            trust_proxy: parse_bool(&get, "PALISADE_TRUST_PROXY", false)?,
            jobs_enabled: parse_bool(&get, "PALISADE_JOBS", true)?,
            storage: parse_storage(&get, &data_dir)?,
            upload_limit_bytes: parse_number(&get, "PALISADE_UPLOAD_LIMIT_MB", 25u64, 1..=4096)? * 1024 * 1024,
            body_timeout_secs: parse_number(&get, "PALISADE_BODY_TIMEOUT_SECS", 20u64, 1..=3600)?,
            inbound: parse_inbound(&get)?,
            data_dir,
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

/// `PALISADE_INBOUND_DOMAINS` (comma-separated), `PALISADE_INBOUND_SMTP_BIND`, `PALISADE_INBOUND_LIMIT_MB`,
/// `PALISADE_INBOUND_RATE_PER_HOUR` and the IMAP mailbox. Receiving needs the domains.
fn parse_inbound(get: &impl Fn(&str) -> Option<String>) -> Result<InboundSettings, ConfigError> {
    const DOMAINS: &str = "PALISADE_INBOUND_DOMAINS";
    let mut domains = Vec::new();
    for domain in get(DOMAINS).unwrap_or_default().split(',').map(|d| d.trim().to_lowercase()) {
        if domain.is_empty() {
            continue;
        }
        let valid = domain.contains('.')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        if !valid {
            return Err(bad(DOMAINS, format!("'{domain}' is not a domain name such as help.example.com")));
        }
        domains.push(domain);
    }
    let smtp_bind = match get("PALISADE_INBOUND_SMTP_BIND") {
        None => None,
        Some(text) => Some(text.trim().parse::<SocketAddr>().map_err(|_| {
            bad("PALISADE_INBOUND_SMTP_BIND", format!("'{text}' is not an address:port such as 0.0.0.0:25"))
        })?),
    };
    if smtp_bind.is_some() && domains.is_empty() {
        return Err(bad(
            DOMAINS,
            "is required with PALISADE_INBOUND_SMTP_BIND (the domains the receiver accepts mail for)",
        ));
    }
    Ok(InboundSettings {
        domains,
        smtp_bind,
        limit_bytes: parse_number(get, "PALISADE_INBOUND_LIMIT_MB", 25u64, 1..=200)? * 1024 * 1024,
        rate_per_hour: parse_number(get, "PALISADE_INBOUND_RATE_PER_HOUR", 30i64, 1..=10_000)?,
        imap: parse_imap(get)?,
    })
}

fn parse_imap(get: &impl Fn(&str) -> Option<String>) -> Result<Option<ImapSettings>, ConfigError> {
    let Some(host) = get("PALISADE_IMAP_HOST") else { return Ok(None) };
    let tls = match get("PALISADE_IMAP_SECURITY").as_deref() {
        None | Some("tls") => true,
        Some("none") => false,
        Some(other) => return Err(bad("PALISADE_IMAP_SECURITY", format!("'{other}' is not one of tls, none"))),
    };
    let required = |var: &'static str| get(var).ok_or_else(|| bad(var, "is required with PALISADE_IMAP_HOST"));
    Ok(Some(ImapSettings {
        port: parse_number(get, "PALISADE_IMAP_PORT", if tls { 993 } else { 143 }, 1..=65535)?,
        tls,
        username: required("PALISADE_IMAP_USERNAME")?,
        password: required("PALISADE_IMAP_PASSWORD")?,
        mailbox: get("PALISADE_IMAP_MAILBOX").unwrap_or_else(|| "INBOX".into()),
        done_folder: get("PALISADE_IMAP_DONE_FOLDER"),
        org_slug: required("PALISADE_IMAP_ORG")?,
        host,
    }))
}

/// `PALISADE_STORAGE_URL`: `file://DIR` (relative to the working directory) or `s3://bucket[/prefix]`, default
/// `<data dir>/files`. For S3: `PALISADE_S3_ENDPOINT`, `AWS_REGION` (or `AWS_DEFAULT_REGION`, default
/// us-east-1), `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`); without keys the
/// instance's role is used.
fn parse_storage(get: &impl Fn(&str) -> Option<String>, data_dir: &Path) -> Result<StorageSettings, ConfigError> {
    const VAR: &str = "PALISADE_STORAGE_URL";
    let Some(url) = get(VAR) else { return Ok(StorageSettings::Directory(data_dir.join("files"))) };
    if let Some(dir) = url.strip_prefix("file://") {
        if dir.is_empty() {
            return Err(bad(VAR, "file:// needs a directory, e.g. file:///var/lib/palisade/files"));
        }
        return Ok(StorageSettings::Directory(PathBuf::from(dir)));
    }
    let Some(rest) = url.strip_prefix("s3://") else {
        return Err(bad(VAR, format!("'{url}' must be file://DIRECTORY or s3://BUCKET[/PREFIX]")));
    };
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let valid_bucket = (3..=63).contains(&bucket.len())
        && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if !valid_bucket {
        return Err(bad(VAR, format!("'{bucket}' is not an S3 bucket name (3-63 lowercase letters, digits, - and .)")));
    }
    let prefix = prefix.trim_matches('/').to_string();
    if !prefix.is_empty() && prefix.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
        return Err(bad(VAR, format!("'{prefix}' is not a usable key prefix")));
    }
    let endpoint = get("PALISADE_S3_ENDPOINT").map(|e| e.trim_end_matches('/').to_string());
    if let Some(e) = &endpoint
        && !(e.starts_with("http://") || e.starts_with("https://"))
    {
        return Err(bad("PALISADE_S3_ENDPOINT", format!("'{e}' must start with http:// or https://")));
    }
    let access_key_id = get("AWS_ACCESS_KEY_ID");
    let secret_access_key = get("AWS_SECRET_ACCESS_KEY");
    if access_key_id.is_some() != secret_access_key.is_some() {
        return Err(bad("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together"));
    }
    Ok(StorageSettings::S3(S3Settings {
        bucket: bucket.to_string(),
        prefix,
        endpoint,
        region: get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION")).unwrap_or_else(|| "us-east-1".into()),
        access_key_id,
        secret_access_key,
        session_token: get("AWS_SESSION_TOKEN"),
    }))
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
