//! The embedded schema migrations of both backends, applied when a store opens.
//!
//! The SQL lives in `events/migrations/{sqlite,postgres}/`; it is compiled into the binary with
//! `include_str!` and run by sqlx's migrator (checksummed, recorded in `_sqlx_migrations`).
//! A landed migration is never edited: add the next number instead.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{PgConnection, SqlSafeStr, SqliteConnection};

use crate::error::StoreError;

const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "event store",
        include_str!("../migrations/sqlite/0001_event_store.sql"),
    ),
    (
        2,
        "snapshots",
        include_str!("../migrations/sqlite/0002_snapshots.sql"),
    ),
];

const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "event store",
        include_str!("../migrations/postgres/0001_event_store.sql"),
    ),
    (
        2,
        "group commit",
        include_str!("../migrations/postgres/0002_append_decided.sql"),
    ),
    (
        3,
        "snapshots",
        include_str!("../migrations/postgres/0003_snapshots.sql"),
    ),
];

fn migrator(migrations: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        migrations
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

pub(crate) async fn sqlite(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    migrator(SQLITE).run(conn).await?;
    Ok(())
}

pub(crate) async fn postgres(conn: &mut PgConnection) -> Result<(), StoreError> {
    migrator(POSTGRES).run(conn).await?;
    Ok(())
}
