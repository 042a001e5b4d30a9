//! The read-model database: SQLite (a file beside the event store's, `banso.db` →
//! `banso.read.db`) or the same PostgreSQL database as the events. One [`AnyPool`] over
//! both, with `$N` placeholders (which sqlx binds by number on SQLite too), so every read model
//! is written once.
//!
//! Tables of a read model carry their generation in their name (`rm_cases_3`): a rebuild
//! fills generation N+1 while readers use N, then switches `rm_active` (see [`crate::runner`]).

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

use crate::error::ReadError;

/// Which database holds the read models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The read-model database.
#[derive(Clone, Debug)]
pub struct ReadDb {
    pool: AnyPool,
    dialect: Dialect,
}

/// The URL of the read-model database that goes with the event store at `events_url`:
/// a sibling file for SQLite (`./data/banso.db` → `./data/banso.read.db`), the same
/// database for PostgreSQL.
pub fn read_url_for(events_url: &str) -> String {
    let Some(rest) = events_url.strip_prefix("sqlite://") else {
        return events_url.to_owned();
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let read_path = match path.strip_suffix(".db") {
        Some(stem) => format!("{stem}.read.db"),
        None => format!("{path}.read"),
    };
    if query.is_empty() {
        format!("sqlite://{read_path}")
    } else {
        format!("sqlite://{read_path}?{query}")
    }
}

/// What a connection to the read models is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// A server or a command-line query: many small reads and the runner's writes.
    Serving,
    /// `banso projections rebuild`, a process of its own that writes every row once: two
    /// connections, each with a large page cache (up to 512 MiB on SQLite, so that inserts
    /// seldom go to the disk before the commit), statement journals in memory, and on PostgreSQL commits that do not wait for
    /// the WAL flush (a rebuild cut short by a crash is simply run again: its tables are not
    /// in use until the switch).
    Rebuild,
}

impl ReadDb {
    /// Open (creating the SQLite file if missing) and create the bookkeeping tables.
    pub async fn connect(url: &str) -> Result<Self, ReadError> {
        Self::connect_for(url, Usage::Serving).await
    }

    /// [`Self::connect`], with the connection settings for `usage`.
    pub async fn connect_for(url: &str, usage: Usage) -> Result<Self, ReadError> {
        install_default_drivers();
        let (dialect, url) = if url.starts_with("sqlite:") {
            let url = if url.contains("mode=") {
                url.to_owned()
            } else if url.contains('?') {
                format!("{url}&mode=rwc")
            } else {
                format!("{url}?mode=rwc")
            };
            (Dialect::Sqlite, url)
        } else {
            (Dialect::Postgres, url.to_owned())
        };
        // A connection to a local SQLite file does not go stale: no ping before each use (a
        // ping is a round trip to the connection's thread, as dear as a small query).
        let connections = match (usage, dialect) {
            // One writer, and a reader now and then; each with its own page cache.
            (Usage::Rebuild, _) => 2,
            (Usage::Serving, Dialect::Sqlite) => 8,
            (Usage::Serving, Dialect::Postgres) => 16,
        };
        let mut options = AnyPoolOptions::new()
            .test_before_acquire(dialect == Dialect::Postgres)
            .max_connections(connections)
            .acquire_timeout(Duration::from_secs(10));
        if dialect == Dialect::Sqlite {
            if let Some(path) = url
                .strip_prefix("sqlite://")
                .map(|r| r.split('?').next().unwrap_or(r))
                && let Some(dir) = std::path::Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(ReadError::Io)?;
            }
            // Read models can be rebuilt from the events: WAL for concurrent readers, and
            // NORMAL sync (a crash may lose the last commits, checkpoint included, which the
            // runner then simply applies again).
            options = options.after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = OFF;")
                        .await?;
                    if usage == Usage::Rebuild {
                        conn.execute("PRAGMA cache_size = -524288; PRAGMA temp_store = MEMORY;")
                            .await?;
                    }
                    Ok(())
                })
            });
        } else if usage == Usage::Rebuild {
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "SET synchronous_commit = off; SET maintenance_work_mem = '256MB'",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await?;
        let db = Self { pool, dialect };
        db.bootstrap().await?;
        Ok(db)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Begin a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so that two writers queue instead of failing on a lock upgrade.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, ReadError> {
        Ok(match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        })
    }

    async fn bootstrap(&self) -> Result<(), ReadError> {
        let mut tx = self.begin_write().await?;
        self.serialize_setup(&mut tx).await?;
        for ddl in [
            "CREATE TABLE IF NOT EXISTS rm_active (
                name TEXT PRIMARY KEY,
                generation BIGINT NOT NULL
            )",
            "CREATE TABLE IF NOT EXISTS rm_checkpoints (
                name TEXT NOT NULL,
                generation BIGINT NOT NULL,
                position BIGINT NOT NULL,
                PRIMARY KEY (name, generation)
            )",
            // The statements each generation's tables were created with: a read model whose
            // tables the code now creates differently is rebuilt on start.
            "CREATE TABLE IF NOT EXISTS rm_schemas (
                name TEXT NOT NULL,
                generation BIGINT NOT NULL,
                statements TEXT NOT NULL,
                PRIMARY KEY (name, generation)
            )",
            "CREATE TABLE IF NOT EXISTS api_tokens (
                token_id TEXT PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                principal TEXT NOT NULL,
                supporter_id TEXT,
                agency_id TEXT,
                role TEXT,
                label TEXT NOT NULL,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            )",
        ] {
            sqlx::query(ddl).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Several servers starting at once on one PostgreSQL create tables one after the other
    /// (concurrent `CREATE TABLE IF NOT EXISTS` can fail there). SQLite's `BEGIN IMMEDIATE`
    /// already serializes.
    pub(crate) async fn serialize_setup(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ) -> Result<(), ReadError> {
        if self.dialect == Dialect::Postgres {
            // An arbitrary constant key: "banso" read-model setup.
            sqlx::query("SELECT pg_advisory_xact_lock(7362837001)")
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::read_url_for;

    #[test]
    fn the_read_models_sit_beside_a_sqlite_store_and_inside_a_postgres_one() {
        assert_eq!(
            read_url_for("sqlite://./data/banso.db"),
            "sqlite://./data/banso.read.db"
        );
        assert_eq!(
            read_url_for("sqlite:///tmp/x/events?mode=rwc"),
            "sqlite:///tmp/x/events.read?mode=rwc"
        );
        assert_eq!(
            read_url_for("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test"
        );
    }
}
