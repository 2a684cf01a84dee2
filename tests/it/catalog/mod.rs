//! The compliance catalog: the data against the official structures, its validation, the `palisade catalog`
//! commands, the versioned load into the global tables, and the Compliance -> Catalog pages.

/// The SQL statements one GET runs (the guard's sign-in check and the page context included).
macro_rules! cost {
    ($app:expr, $client:expr, $path:expr) => {{
        let before = $app.queries();
        $client.get($path).await.assert_status(200);
        $app.queries() - before
    }};
}

mod cli;
mod crosswalk;
mod data;
mod load;
mod pages;

use std::process::Command;

use crate::support::TestApp;
use crate::support::fixture::{self, Msp};
use palisade::auth::permissions::Role;
use palisade::compliance::catalog::data::{Catalog, Framework, embedded};

pub fn catalog() -> &'static Catalog {
    embedded().expect("the embedded catalog parses")
}

pub fn framework(id: &str) -> &'static Framework {
    catalog().framework(id).unwrap_or_else(|| panic!("framework {id} is in the catalog"))
}

/// The requirements of a framework whose ids carry this old identifier.
pub fn resolve_alias(framework_id: &str, alias: &str) -> Vec<&'static str> {
    framework(framework_id)
        .requirements
        .iter()
        .filter(|r| r.aliases.iter().any(|a| a == alias))
        .map(|r| r.id.as_str())
        .collect()
}

/// An MSP, a compliance officer in its client T2, and an end user (portal only) there.
pub fn world(app: &TestApp) -> Msp {
    let mut conn = app.conn();
    let f = fixture::msp(&mut conn);
    let officer = fixture::user(&mut conn, "officer@tiertwo.test", "Cora Officer");
    fixture::member(&mut conn, &f.t2, &officer, Role::ComplianceOfficer);
    let end_user = fixture::user(&mut conn, "enduser@tiertwo.test", "Eddie EndUser");
    fixture::member(&mut conn, &f.t2, &end_user, Role::PortalUser);
    f
}

/// Runs the built `palisade` binary with no database: (succeeded, stdout, stderr).
pub fn palisade(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        // No database: the catalog commands are pure data.
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .expect("run palisade");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}
