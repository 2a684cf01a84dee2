//! Rebuilds the crate when a migration is added or changed: `embed_migrations!` reads `migrations/` at compile
//! time, and without this cargo does not notice a new migration directory (the binary would run without it).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
