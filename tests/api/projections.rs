//! The read models against the events they come from: a rebuild from position 0 gives exactly
//! the tables the live runner built event by event, on SQLite and PostgreSQL.

use std::time::Duration;

use banso::demo;
use banso_events::domain::service::Lifecycle;
use banso_events::domain::values::Day;
use banso_events::{Backend, EventStore, StoreConfig};
use banso_projections::{Projection, ReadModels};
use sqlx::Row;

use crate::helpers::{TestDatabase, both_backends};

both_backends!(a_rebuild_equals_the_incrementally_built_read_models);

/// Every row of every table of `projection`'s active generation, as text, in key order.
async fn dump(read: &ReadModels, projection: Projection) -> Vec<Vec<String>> {
    let status = read.status().await.unwrap();
    let generation = status
        .iter()
        .find(|s| s.projection == projection)
        .unwrap()
        .generation;
    let mut rows_out = Vec::new();
    for table in projection.tables() {
        let sql = format!("SELECT * FROM {} ORDER BY 1, 2", table.name(generation));
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(read.pool())
            .await
            .unwrap();
        for row in rows {
            let mut cells = vec![table.base.to_owned()];
            for (i, _) in row.columns().iter().enumerate() {
                let cell = row
                    .try_get::<Option<i64>, _>(i)
                    .map(|v| format!("{v:?}"))
                    .or_else(|_| {
                        row.try_get::<Option<String>, _>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .unwrap();
                cells.push(cell);
            }
            rows_out.push(cells);
        }
    }
    rows_out
}

async fn a_rebuild_equals_the_incrementally_built_read_models(backend: Backend) {
    let Some(database) = TestDatabase::new(backend).await else {
        return;
    };
    let config = StoreConfig {
        poll_interval: Some(Duration::from_millis(20)),
        ..StoreConfig::default()
    };
    let store = EventStore::connect(&database.url, &config).await.unwrap();
    let read = ReadModels::open(&banso_projections::read_url_for(&database.url))
        .await
        .unwrap();
    // The runner follows the store while the demo is loaded: the read models are built as
    // the events arrive, in whatever batches the runner happens to see.
    let runner = read.spawn_runner(store.clone(), config.clone());
    let lifecycle = Lifecycle::new(store.clone());
    demo::load(&lifecycle, Day::parse("2025-11-20").unwrap())
        .await
        .unwrap();
    let head = store.head().await.unwrap();
    read.wait_for(head, Duration::from_secs(60)).await.unwrap();
    runner.abort();

    for projection in Projection::ALL {
        let incremental = dump(&read, projection).await;
        assert!(
            !incremental.is_empty(),
            "{} is empty after the demo",
            projection.name()
        );
        let before = read.status().await.unwrap();
        let (generation, applied) = read.rebuild(&store, projection).await.unwrap();
        let old = before
            .iter()
            .find(|s| s.projection == projection)
            .unwrap()
            .generation;
        assert_eq!(generation, old + 1);
        assert_eq!(applied, head.0, "the rebuild reads every event");
        let rebuilt = dump(&read, projection).await;
        assert_eq!(
            rebuilt,
            incremental,
            "{}: the rebuild differs from the incrementally built read model",
            projection.name()
        );
        // The old generation stays for readers that started on it, until the next rebuild.
        let sql = format!("SELECT COUNT(*) FROM {}", projection.tables()[0].name(old));
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(read.pool())
            .await
            .unwrap();
        assert!(count > 0);
    }
    read.db().close().await;
    store.close().await;
    database.remove().await;
}
