//! The schema as clients see it: the committed SDL, and what `storeStatus` answers.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use async_graphql::value;
use banso_events::domain::service::Lifecycle;
use banso_events::domain::values::Day;
use banso_events::{EventStore, StoreConfig};
use banso_graphql::{BansoSchema, ErrorCode, Limits, Principal, Services, schema};
use banso_projections::ReadModels;

/// Set to `1` to rewrite `schema.graphql` from the code instead of comparing.
const UPDATE_VAR: &str = "BANSO_UPDATE_SCHEMA";

/// A SQLite store and its read models in a fresh temporary directory, removed on drop.
struct TempStore {
    store: EventStore,
    read: ReadModels,
    dir: PathBuf,
}

impl TempStore {
    async fn open(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "banso-graphql-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("events.db").display());
        let store = EventStore::connect(&url, &StoreConfig::default())
            .await
            .unwrap();
        let read = ReadModels::open(&banso_projections::read_url_for(&url))
            .await
            .unwrap();
        Self { store, read, dir }
    }

    fn schema(&self) -> BansoSchema {
        let services = Services {
            lifecycle: Lifecycle::new(self.store.clone()),
            read: self.read.clone(),
            today: Arc::new(|| Day::parse("2025-11-20").unwrap()),
            weights: Default::default(),
            stats_min_companies: Default::default(),
        };
        schema(services, Limits::default())
    }
}

impl Drop for TempStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn sdl_matches_the_committed_schema_file() {
    let sdl = banso_graphql::sdl();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");

    if std::env::var(UPDATE_VAR).is_ok_and(|v| v == "1") {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "{UPDATE_VAR} is set under CI: the schema file must be compared there, not rewritten"
        );
        std::fs::write(&path, &sdl).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "{} differs from the schema in the code.\n\
         If the change is intended, regenerate it with\n\
         \n    {UPDATE_VAR}=1 cargo test -p banso-graphql --test schema\n\
         \nand commit the file. The schema in the code is:\n\n{sdl}",
        path.display(),
    );
}

#[tokio::test]
async fn store_status_reports_the_backend_and_head_of_an_empty_store() {
    let store = TempStore::open("status").await;

    let response = store
        .schema()
        .execute(
            async_graphql::Request::new("{ storeStatus { backend head } }")
                .data(Principal::Operator),
        )
        .await;

    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert_eq!(
        response.data,
        value!({ "storeStatus": { "backend": "sqlite", "head": "0" } })
    );
}

#[tokio::test]
async fn a_store_fault_is_an_internal_error_without_details() {
    let store = TempStore::open("fault").await;
    let schema = store.schema();
    // A closed store refuses every read: a stand-in for a database that went away.
    store.store.close().await;

    let response = schema.execute("{ storeStatus { backend head } }").await;

    assert_eq!(response.errors.len(), 1, "{:?}", response.errors);
    let error = &response.errors[0];
    let code = error.extensions.as_ref().and_then(|e| e.get("code"));
    assert_eq!(code, Some(&value!(ErrorCode::Internal.as_str())));
    assert!(
        !error.message.contains("pool") && !error.message.contains("database"),
        "the message leaks details: {}",
        error.message
    );
}
