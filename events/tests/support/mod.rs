//! Test support: a fresh store per test on either backend, and a small event vocabulary.
//!
//! SQLite tests get a file in a new temporary directory. PostgreSQL tests get a new schema in
//! the database named by `BANSO_TEST_POSTGRES_URL`; without that variable the PostgreSQL half
//! of the suite is skipped locally, and fails under `CI=true`, where skipping it is not allowed.

#![allow(dead_code)]

use std::path::PathBuf;

use banso_events::{
    AppendRequest, Backend, EventStore, ExpectedVersion, Metadata, NewEvent, StoreConfig, StreamId,
    StreamType,
};
use serde_json::json;
use uuid::Uuid;

pub const POSTGRES_URL_VAR: &str = "BANSO_TEST_POSTGRES_URL";

pub struct Harness {
    pub store: EventStore,
    pub config: StoreConfig,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Schema { admin_url: String, schema: String },
}

impl Harness {
    pub async fn new(backend: Backend) -> Option<Self> {
        Self::with_config(backend, StoreConfig::default()).await
    }

    pub async fn with_config(backend: Backend, config: StoreConfig) -> Option<Self> {
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("banso-test-{}", Uuid::now_v7()));
                std::fs::create_dir_all(&dir).unwrap();
                let url = format!("sqlite://{}", dir.join("events.db").display());
                (url, Cleanup::Dir(dir))
            }
            Backend::Postgres => {
                let admin_url = postgres_url()?;
                let schema = format!("banso_t_{}", Uuid::now_v7().simple());
                let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
                (
                    with_search_path(&admin_url, &schema),
                    Cleanup::Schema { admin_url, schema },
                )
            }
        };
        let mut config = config;
        config.postgres.max_connections = config.postgres.max_connections.min(8);
        let store = EventStore::connect(&url, &config).await.unwrap();
        Some(Self {
            store,
            config,
            url,
            cleanup,
        })
    }

    /// Another store on the same database, as a second server process would have.
    pub async fn second_store(&self) -> EventStore {
        EventStore::connect(&self.url, &self.config).await.unwrap()
    }

    pub async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Schema { admin_url, schema } => {
                let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
            }
        }
    }
}

/// The PostgreSQL URL of the test database, or `None` to skip (never under CI).
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{POSTGRES_URL_VAR} is not set: under CI the PostgreSQL suite must run")
        }
        _ => {
            eprintln!("{POSTGRES_URL_VAR} is not set: skipping the PostgreSQL half of this test");
            None
        }
    }
}

/// `url` with its connections' `search_path` set to `schema`.
pub fn with_search_path(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

/// Run the body once per backend. The PostgreSQL half is skipped (locally) when no URL is set.
#[macro_export]
macro_rules! both_backends {
    ($(#[$meta:meta])* async fn $name:ident($h:ident: Harness) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($h: Harness) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let h = Harness::new(banso_events::Backend::Sqlite).await.unwrap();
                run(h).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(h) = Harness::new(banso_events::Backend::Postgres).await {
                    run(h).await;
                }
            }
        }
    };
}

pub fn case() -> StreamId {
    StreamId::new(StreamType::new("case").unwrap(), Uuid::now_v7())
}

pub fn company() -> StreamId {
    StreamId::new(StreamType::new("company").unwrap(), Uuid::now_v7())
}

/// A dialogue note of about 300 bytes, as supporters write them.
pub fn note(n: usize) -> NewEvent {
    NewEvent::json(
        "NoteTaken",
        1,
        &json!({
            "seq": n,
            "note": "経営者と二時間対話。売上減少の背景に後継者不在と価格交渉力の弱さがあると確認した。",
            "perspective": "経営者への着目",
        }),
    )
    .unwrap()
}

pub fn notes(count: usize) -> Vec<NewEvent> {
    (1..=count).map(note).collect()
}

pub fn append_to(
    stream: &StreamId,
    expected: ExpectedVersion,
    events: Vec<NewEvent>,
) -> AppendRequest {
    AppendRequest::to_stream(
        Metadata::for_command(Uuid::now_v7()).by(Uuid::now_v7(), Uuid::now_v7()),
        stream.clone(),
        expected,
        events,
    )
}
