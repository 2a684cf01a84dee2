//! Settings: defaults that work, and one clear line for a bad setting.

use std::collections::HashMap;

use palisade::config::{Config, MailTransport};

fn load(vars: &[(&str, &str)], dir: &std::path::Path) -> Result<Config, String> {
    let mut map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    map.entry("PALISADE_DATA_DIR".into()).or_insert_with(|| dir.display().to_string());
    Config::from_lookup(|k| map.get(k).cloned()).map_err(|e| e.to_string())
}

#[test]
fn defaults_run_out_of_the_box_and_keep_a_private_session_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = load(&[], dir.path()).unwrap();
    assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(config.base_url, "http://127.0.0.1:8080");
    assert!(config.database_url.starts_with("sqlite://"));
    assert_eq!(config.mail, MailTransport::File);
    assert!(!config.secure_cookies());
    let key_file = dir.path().join("session.key");
    assert!(key_file.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let again = load(&[], dir.path()).unwrap();
    assert_eq!(config.session_key, again.session_key, "the key survives restarts");
    assert!(!format!("{config:?}").contains("session_key"), "no secrets in Debug output");
}

#[test]
fn a_bad_setting_names_the_variable_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("PALISADE_BIND", "localhost", "PALISADE_BIND"),
        ("PALISADE_BASE_URL", "ftp://x", "must start with http:// or https://"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("PALISADE_SESSION_KEY", "short", "PALISADE_SESSION_KEY"),
        ("PALISADE_MAIL_TRANSPORT", "pigeon", "not one of file, smtp, memory"),
        ("PALISADE_DB_POOL_SIZE", "0", "PALISADE_DB_POOL_SIZE"),
        ("PALISADE_LOG", "[[", "PALISADE_LOG"),
    ];
    for (var, value, expected) in cases {
        let err = load(&[(var, value)], dir.path()).unwrap_err();
        assert!(err.contains(expected), "{var}={value}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
}

#[test]
fn https_base_urls_get_secure_cookies_and_smtp_settings_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let config = load(
        &[
            ("PALISADE_BASE_URL", "https://palisade.example.com/"),
            ("PALISADE_SMTP_HOST", "smtp.example.com"),
            ("PALISADE_SMTP_USERNAME", "u"),
            ("PALISADE_SMTP_PASSWORD", "secret-password"),
        ],
        dir.path(),
    )
    .unwrap();
    assert!(config.secure_cookies());
    assert_eq!(config.base_url, "https://palisade.example.com");
    match &config.mail {
        MailTransport::Smtp(s) => assert_eq!((s.host.as_str(), s.port), ("smtp.example.com", 587)),
        other => panic!("expected SMTP, got {other:?}"),
    }
    assert!(!format!("{config:?}").contains("secret-password"));
    assert_eq!(palisade::config::redact_url("postgres://u:pw@h/db"), "postgres://u:***@h/db");
}

#[test]
fn a_database_that_cannot_be_reached_names_the_real_cause() {
    let err = palisade::db::Db::open("postgres://nobody@127.0.0.1:1/none", 1).err().expect("no server on port 1");
    let text = err.to_string();
    assert!(text.contains("PostgreSQL at postgres://nobody@127.0.0.1:1/none"), "{text}");
    assert!(text.to_lowercase().contains("connect"), "{text}");
}

#[test]
fn inbound_email_is_off_by_default_and_its_settings_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let off = load(&[], dir.path()).unwrap().inbound;
    assert!(off.domains.is_empty() && off.smtp_bind.is_none() && off.imap.is_none());
    let on = load(
        &[
            ("PALISADE_INBOUND_DOMAINS", "Help.Example.com, support.example.org"),
            ("PALISADE_INBOUND_SMTP_BIND", "0.0.0.0:2525"),
            ("PALISADE_IMAP_HOST", "imap.example.com"),
            ("PALISADE_IMAP_USERNAME", "support"),
            ("PALISADE_IMAP_PASSWORD", "s3cret-imap"),
            ("PALISADE_IMAP_ORG", "northwind"),
        ],
        dir.path(),
    )
    .unwrap();
    assert_eq!(on.inbound.domains, ["help.example.com", "support.example.org"]);
    let imap = on.inbound.imap.as_ref().unwrap();
    assert_eq!((imap.port, imap.tls, imap.mailbox.as_str()), (993, true, "INBOX"));
    assert!(!format!("{on:?}").contains("s3cret-imap"), "no IMAP password in Debug output");
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("PALISADE_INBOUND_DOMAINS", "not a domain")], "PALISADE_INBOUND_DOMAINS"),
        (&[("PALISADE_INBOUND_SMTP_BIND", "0.0.0.0:25")], "is required with PALISADE_INBOUND_SMTP_BIND"),
        (&[("PALISADE_INBOUND_LIMIT_MB", "0")], "PALISADE_INBOUND_LIMIT_MB"),
        (&[("PALISADE_IMAP_HOST", "imap.example.com")], "is required with PALISADE_IMAP_HOST"),
    ];
    for (vars, expected) in cases {
        let err = load(vars, dir.path()).unwrap_err();
        assert!(err.contains(expected), "{vars:?}: {err}");
    }
}
