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

    let mut incrementals = Vec::new();
    for projection in Projection::ALL {
        let incremental = dump(&read, projection).await;
        assert!(
            !incremental.is_empty(),
            "{} is empty after the demo",
            projection.name()
        );
        let before = read.status().await.unwrap();
        // A hold of 7 cases makes the rebuild write cases out (and read them back) many
        // times over, as a store with more cases than a rebuild holds in memory would.
        let (generations, applied) = read
            .rebuild_holding(&store, &[projection], 7)
            .await
            .unwrap();
        let generation = generations[0].1;
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
        incrementals.push(incremental);
    }
    // All of them in one pass, holding every case in memory until the end, as `banso
    // projections rebuild` does.
    let (generations, applied) = read.rebuild(&store, &Projection::ALL).await.unwrap();
    assert_eq!(applied, head.0);
    for ((projection, generation), incremental) in generations.into_iter().zip(&incrementals) {
        let status = read.status().await.unwrap();
        let active = status.iter().find(|s| s.projection == projection).unwrap();
        assert_eq!(active.generation, generation);
        assert_eq!(
            &dump(&read, projection).await,
            incremental,
            "{}: the one-pass rebuild differs from the incrementally built read model",
            projection.name()
        );
    }

    // An upgrade that changes how the cases read model's tables are created: the next open
    // switches to a fresh generation at position 0, and catching up fills it again.
    let before = read.status().await.unwrap();
    let old_cases = before
        .iter()
        .find(|s| s.projection == Projection::Cases)
        .unwrap();
    sqlx::query("UPDATE rm_schemas SET statements = 'CREATE TABLE {t} (an_older_shape TEXT)' WHERE name = 'cases'")
        .execute(read.pool())
        .await
        .unwrap();
    let reopened = ReadModels::open(&banso_projections::read_url_for(&database.url))
        .await
        .unwrap();
    let after = reopened.status().await.unwrap();
    let new_cases = after
        .iter()
        .find(|s| s.projection == Projection::Cases)
        .unwrap();
    assert_eq!(new_cases.generation, old_cases.generation + 1);
    assert_eq!(new_cases.position.0, 0);
    for (old, new) in before.iter().zip(&after) {
        if old.projection != Projection::Cases {
            assert_eq!(old, new, "only the changed read model starts again");
        }
    }
    reopened.catch_up(&store).await.unwrap();
    assert_eq!(
        dump(&reopened, Projection::Cases).await,
        incrementals[Projection::ALL
            .iter()
            .position(|p| *p == Projection::Cases)
            .unwrap()],
        "the cases read model rebuilt after the upgrade"
    );
    reopened.db().close().await;
    read.db().close().await;
    store.close().await;
    database.remove().await;
}
