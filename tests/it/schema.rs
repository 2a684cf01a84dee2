//! Schema parity: the hand-kept `src/schema.rs` against the database the migrations make (this run's backend:
//! SQLite, or PostgreSQL with PALISADE_TEST_DATABASE_URL; CI runs both), the two backends' migrations against
//! each other, and the tenancy rule that every table with `org_id` has an index leading with it.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;

use crate::support::TestApp;
use palisade::db::DbConnection;

/// Full-text search is each backend's own (`psa::kb::search`, raw SQL, not in schema.rs): SQLite's FTS5 table
/// and the shadow tables FTS5 keeps beside it, PostgreSQL's generated tsvector column and its GIN index.
const FULL_TEXT_TABLE: &str = "kb_search";
const FULL_TEXT_COLUMN: (&str, &str) = ("kb_articles", "search");
const FULL_TEXT_INDEX: &str = "kb_articles_search";

fn is_full_text(table: &str, column: &str) -> bool {
    table == FULL_TEXT_TABLE || table.starts_with(&format!("{FULL_TEXT_TABLE}_")) || (table, column) == FULL_TEXT_COLUMN
}

/// (column name, shared SQL type, nullable), in declaration order.
type Columns = Vec<(String, String, bool)>;

/// The tables of `src/schema.rs`, read from its `diesel::table!` blocks.
fn declared_tables() -> BTreeMap<String, Columns> {
    let text = include_str!("../../src/schema.rs");
    let mut tables = BTreeMap::new();
    for block in text.split("diesel::table! {").skip(1) {
        let body = block.split("\n}").next().unwrap();
        let mut lines = body.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//"));
        let head = lines.next().unwrap();
        let name = head.split([' ', '(']).next().unwrap().to_string();
        let columns = lines
            .filter_map(|line| line.split_once("->"))
            .map(|(col, ty)| {
                let ty = ty.trim().trim_end_matches(',');
                let (ty, nullable) = match ty.strip_prefix("Nullable<").and_then(|t| t.strip_suffix('>')) {
                    Some(inner) => (inner, true),
                    None => (ty, false),
                };
                (col.trim().to_string(), ty.to_string(), nullable)
            })
            .collect();
        tables.insert(name, columns);
    }
    tables
}

#[derive(QueryableByName, Debug)]
struct ColumnInfo {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    data_type: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    nullable: bool,
}

/// The migrated database's tables, with each column's type in the shared vocabulary of schema.rs.
fn migrated_tables(conn: &mut DbConnection) -> BTreeMap<String, Columns> {
    let sql = if conn.is_sqlite() {
        "SELECT m.name AS table_name, c.name AS column_name, upper(c.type) AS data_type, \
         (c.\"notnull\" = 0 AND c.pk = 0) AS nullable \
         FROM sqlite_master m JOIN pragma_table_info(m.name) c \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%' \
         ORDER BY m.name, c.cid"
    } else {
        "SELECT table_name::text AS table_name, column_name::text AS column_name, upper(data_type::text) AS data_type, \
         (is_nullable = 'YES') AS nullable FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '__diesel%' ORDER BY table_name, ordinal_position"
    };
    let rows: Vec<ColumnInfo> = diesel::sql_query(sql).load(conn).unwrap();
    let mut tables: BTreeMap<String, Columns> = BTreeMap::new();
    for row in rows.into_iter().filter(|row| !is_full_text(&row.table_name, &row.column_name)) {
        let shared = match row.data_type.as_str() {
            "TEXT" => "Text",
            "INTEGER" => "Integer",
            "BIGINT" => "BigInt",
            "BOOLEAN" => "Bool",
            "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => "Timestamp",
            other => {
                panic!("{}.{} has type {other}, outside the types both backends share", row.table_name, row.column_name)
            }
        };
        tables.entry(row.table_name).or_default().push((row.column_name, shared.to_string(), row.nullable));
    }
    tables
}

#[actix_web::test]
async fn schema_rs_matches_the_migrated_database() {
    let app = TestApp::new().await;
    let declared = declared_tables();
    let migrated = migrated_tables(&mut app.conn());
    assert_eq!(
        declared.keys().collect::<Vec<_>>(),
        migrated.keys().collect::<Vec<_>>(),
        "the same tables in schema.rs and the migrations"
    );
    for (table, columns) in &declared {
        assert_eq!(columns, &migrated[table], "{table}: columns (name, type, nullable) in schema.rs vs the database");
    }
}

/// `CREATE [UNIQUE] INDEX name ON table (columns)` of every migration of one backend, as (table, name, columns).
fn migration_indexes(backend: &str) -> BTreeSet<(String, String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    let mut out = BTreeSet::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    dirs.sort();
    for migration in dirs {
        let sql = std::fs::read_to_string(migration.join("up.sql")).unwrap();
        for statement in sql.split(';') {
            let words: Vec<&str> = statement.split_whitespace().collect();
            let Some(at) = words.windows(2).position(|w| w == ["CREATE", "INDEX"] || w == ["UNIQUE", "INDEX"]) else {
                continue;
            };
            let name = words[at + 2].to_string();
            let table = words[at + 4].to_string();
            let columns = statement.split('(').nth(1).unwrap().split(')').next().unwrap().replace(' ', "");
            if name != FULL_TEXT_INDEX {
                out.insert((table, name, columns));
            }
        }
    }
    out
}

#[test]
fn both_backends_migrations_declare_the_same_indexes() {
    let sqlite = migration_indexes("sqlite");
    let postgres = migration_indexes("postgres");
    assert!(sqlite.len() > 10, "{sqlite:?}");
    assert_eq!(sqlite, postgres, "the same indexes on both backends");
    let migrations = |backend: &str| -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect();
        names.sort();
        names
    };
    assert_eq!(migrations("sqlite"), migrations("postgres"), "every migration written for both backends");
}

#[derive(QueryableByName, Debug)]
struct IndexInfo {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    first_column: String,
}

/// The first column of every index (unique constraints' and primary keys' included) of the migrated database.
fn leading_columns(conn: &mut DbConnection) -> BTreeSet<(String, String)> {
    let sql = if conn.is_sqlite() {
        "SELECT m.name AS table_name, i.name AS first_column FROM sqlite_master m \
         JOIN pragma_index_list(m.name) l JOIN pragma_index_info(l.name) i \
         WHERE m.type = 'table' AND i.seqno = 0"
    } else {
        "SELECT t.relname::text AS table_name, a.attname::text AS first_column FROM pg_index x \
         JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] WHERE n.nspname = 'public'"
    };
    diesel::sql_query(sql)
        .load::<IndexInfo>(conn)
        .unwrap()
        .into_iter()
        .map(|i| (i.table_name, i.first_column))
        .collect()
}

#[actix_web::test]
async fn every_table_with_org_id_has_an_index_leading_with_it() {
    let app = TestApp::new().await;
    let mut conn = app.conn();
    let leading = leading_columns(&mut conn);
    let tenant_tables: Vec<String> = migrated_tables(&mut conn)
        .into_iter()
        .filter(|(_, columns)| columns.iter().any(|(name, _, _)| name == "org_id"))
        .map(|(table, _)| table)
        .collect();
    assert!(tenant_tables.len() >= 5, "{tenant_tables:?}");
    for table in tenant_tables {
        assert!(leading.contains(&(table.clone(), "org_id".to_string())), "{table} has no index leading with org_id");
    }
}

#[test]
fn no_diesel_command_can_overwrite_the_hand_kept_schema() {
    let config = include_str!("../../diesel.toml");
    assert!(!config.contains("[print_schema]"), "diesel.toml must not name a schema file to print into");
}

#[actix_web::test]
async fn unknown_enum_text_in_the_database_is_an_error_never_a_default() {
    let (app, f) = TestApp::with_msp().await;
    let mut conn = app.conn();
    // The CHECK constraints refuse unknown values on both backends.
    for sql in [
        format!("UPDATE memberships SET role = 'OWNER' WHERE user_id = '{}'", f.client_admin),
        format!("UPDATE organizations SET kind = 'partner' WHERE id = '{}'", f.t2),
        format!("UPDATE organizations SET tier = 'T4' WHERE id = '{}'", f.t2),
        format!("UPDATE organizations SET tier = NULL WHERE id = '{}'", f.t2),
    ] {
        assert!(diesel::sql_query(&sql).execute(&mut conn).is_err(), "refused: {sql}");
    }
    // And reading one (an action written by a newer version, say) fails loudly instead of guessing.
    diesel::sql_query(format!(
        "INSERT INTO activity_log (id, org_id, actor_label, action, created_at) \
         VALUES ('x1', '{}', 'future', 'member.teleport', '2026-03-02 09:00:00')",
        f.t2
    ))
    .execute(&mut conn)
    .unwrap();
    let read = palisade::audit::log::list(&mut conn, &f.t2, &Default::default(), 10, 0);
    let err = format!("{:?}", read.expect_err("an unknown action is an error"));
    assert!(err.contains("unknown Action") && err.contains("member.teleport"), "{err}");
}
