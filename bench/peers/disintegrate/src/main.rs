//! Peer benchmark: the append workload (see ../../common/workload.rs) on disintegrate with
//! disintegrate-postgres.
//!
//! disintegrate has no streams with version numbers: events carry domain ids (here `case_id`),
//! a "stream" is a query over them, and the expected version of an append is the global
//! `event_id` of the last event the writer saw for that query. The write path is
//! `EventStore::append(events, query!(DialogueLogged; case_id == id), last_event_id)`: one
//! SERIALIZABLE transaction that fails with `Error::Concurrency` if any event matching the
//! query has an id above `last_event_id`, then inserts the k events in one multi-row INSERT.
//! Each writer tracks, per owned stream, the last event id `append` returned (0 for a new
//! stream): that is this crate's exact expected version. This is the lowest public write API
//! that checks for conflicts; the framework's `DecisionMaker::make` first reads the events of
//! the query to build the state, then calls the same `append`.
//!
//! disintegrate has no SQLite store, so `--backend sqlite` fails.

#[path = "../../common/workload.rs"]
mod workload;
#[path = "../../common/pg08.rs"]
mod pg08;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use disintegrate::serde::json::Json;
use disintegrate::EventStore;
use disintegrate_postgres::{PgEventId, PgEventStore};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use workload::{Backend, Command, Config, Progress};

const PEER: &str = "disintegrate";

/// The event. Serialized with serde_json (field order kept) it is the workload's object,
/// `{"kind":"dialogue_logged","case":"<uuid>","seq":N,"note":"…"}`, stored as bytea in
/// `event.payload`; `case_id` is also a domain id, so it gets its own indexed column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, disintegrate::Event)]
struct DialogueLogged {
    kind: String,
    #[id]
    #[serde(rename = "case")]
    case_id: Uuid,
    seq: u64,
    note: String,
}

type Store = PgEventStore<DialogueLogged, Json<DialogueLogged>>;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("{PEER}: FAILED: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let cfg = Config::from_args()?;
    let payload_len = workload::check_payload_size()?;
    let sample = DialogueLogged {
        kind: workload::KIND.to_string(),
        case_id: Uuid::nil(),
        seq: 1,
        note: workload::note(&Uuid::nil().to_string(), 1),
    };
    let sample_len = serde_json::to_string(&sample)?.len();
    if sample_len != payload_len {
        bail!("the DialogueLogged event serializes to {sample_len} bytes, the workload payload to {payload_len}");
    }
    eprintln!(
        "{PEER}: backend={} writers={} streams={} commands={} seed={} payload={payload_len}B",
        cfg.backend.name(),
        cfg.writers,
        cfg.streams,
        cfg.commands,
        cfg.seed
    );
    if cfg.backend != Backend::Postgres {
        bail!("disintegrate has no SQLite event store (only PostgreSQL); run it with --backend postgres");
    }
    let opts = pg08::recreate_pg_database(&cfg.url).await?;
    let pool_size = cfg.pool.unwrap_or(cfg.writers as u32);
    let pool = PgPoolOptions::new()
        .max_connections(pool_size)
        .min_connections(pool_size)
        .acquire_timeout(Duration::from_secs(120))
        .connect_with(opts)
        .await
        .context("connecting to the benchmark database")?;
    // disintegrate-postgres's own `Migrator::init_event_store` (run by `PgEventStore::try_new`)
    // creates the event id sequence, the `event` table, its event_type index, the two epoch
    // functions, and a `case_id` column with a partial index for the domain id. Its
    // `event_store_begin_epoch` function uses hexadecimal integer literals (`0xFFFFFFFF`),
    // which PostgreSQL accepts only from version 16 on; on an older server we run the same
    // statements, copied from the crate, with that one literal written in decimal.
    let (server_version,): (String,) = sqlx::query_as("SHOW server_version_num")
        .fetch_one(&pool)
        .await?;
    let server_version: u32 = server_version.parse().context("parsing server_version_num")?;
    let store: Store = if server_version >= 160_000 {
        let store = PgEventStore::try_new(pool.clone(), Json::default())
            .await
            .context("creating the disintegrate-postgres event store (running its migrator)")?;
        eprintln!("schema created by disintegrate-postgres's Migrator (event); pool of {pool_size} connections");
        store
    } else {
        sqlx::raw_sql(PG15_SCHEMA)
            .execute(&pool)
            .await
            .context("creating the disintegrate-postgres schema (PostgreSQL < 16 copy)")?;
        eprintln!(
            "PostgreSQL {server_version} < 16: schema created from the crate's migrator SQL with \
             0xFFFFFFFF written as 4294967295 (event); pool of {pool_size} connections"
        );
        PgEventStore::new_uninitialized(pool.clone(), Json::default())
    };

    let retried = Arc::new(AtomicU64::new(0));
    let (commands, events, seconds) = append_phase(&cfg, store, retried.clone()).await?;
    let retried = retried.load(Ordering::Relaxed);
    if cfg.retries > 0 {
        eprintln!("{retried} appends were retried after a serialization failure (--retries {})", cfg.retries);
    }

    let (in_db,): (i64,) = sqlx::query_as("SELECT count(*) FROM event")
        .fetch_one(&pool)
        .await?;
    workload::verify_count("event", in_db, events)?;
    // Every stream must hold exactly the events the plan appends to it, numbered 1..=n.
    let expected = workload::final_versions(&workload::plan(&cfg), cfg.streams);
    let ids = workload::stream_ids(cfg.seed, cfg.streams);
    let rows: Vec<(Uuid, i64, i64)> = sqlx::query_as(
        "SELECT case_id, count(*), count(DISTINCT convert_from(payload, 'UTF8')::json->>'seq') FROM event GROUP BY case_id",
    )
    .fetch_all(&pool)
    .await?;
    let per_stream: std::collections::HashMap<Uuid, (i64, i64)> =
        rows.into_iter().map(|(id, n, d)| (id, (n, d))).collect();
    for (i, want) in expected.iter().enumerate() {
        let id = Uuid::from_bytes(ids[i]);
        let (n, distinct) = per_stream.get(&id).copied().unwrap_or((0, 0));
        if n as u64 != *want || distinct != n {
            bail!("verification failed: stream {id} holds {n} events ({distinct} distinct seq), the plan appends {want}");
        }
    }
    eprintln!("verified: every one of the {} streams holds exactly its planned events", cfg.streams);
    workload::print_result(PEER, cfg.backend, commands, events, seconds);
    Ok(())
}

/// Runs the writers; returns (commands, events, seconds) of the timed append phase.
async fn append_phase(cfg: &Config, store: Store, retried: Arc<AtomicU64>) -> Result<(u64, u64, f64)> {
    let ids: Arc<Vec<Uuid>> = Arc::new(
        workload::stream_ids(cfg.seed, cfg.streams)
            .into_iter()
            .map(Uuid::from_bytes)
            .collect(),
    );
    let plan = workload::plan(cfg);
    let progress = Arc::new(Progress::default());
    let barrier = Arc::new(tokio::sync::Barrier::new(cfg.writers + 1));
    let mut tasks = Vec::with_capacity(cfg.writers);
    for (w, commands) in plan.into_iter().enumerate() {
        let (store, ids, progress, barrier, retried) =
            (store.clone(), ids.clone(), progress.clone(), barrier.clone(), retried.clone());
        let retries = cfg.retries;
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            writer(w, commands, &store, &ids, &progress, retries, &retried).await
        }));
    }
    barrier.wait().await;
    let start = Instant::now();
    let reporter = progress.spawn_reporter(cfg.commands);
    let mut failure = None;
    for t in tasks {
        match t.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failure = failure.or(Some(e)),
            Err(e) => failure = failure.or(Some(anyhow!("writer task panicked: {e}"))),
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    reporter.abort();
    if let Some(e) = failure {
        return Err(e);
    }
    let commands = progress.commands.load(std::sync::atomic::Ordering::Relaxed);
    let events = progress.events.load(std::sync::atomic::Ordering::Relaxed);
    if commands != cfg.commands as u64 {
        bail!("only {commands} of {} commands were appended", cfg.commands);
    }
    Ok((commands, events, seconds))
}

/// A PostgreSQL serialization failure (SQLSTATE 40001), raised during the transaction.
/// (disintegrate-postgres itself maps a 40001 at COMMIT to `Error::Concurrency`.)
fn is_serialization_failure(e: &disintegrate_postgres::Error) -> bool {
    matches!(e, disintegrate_postgres::Error::Database(sqlx::Error::Database(d)) if d.code().as_deref() == Some("40001"))
}

async fn writer(
    w: usize,
    commands: Vec<Command>,
    store: &Store,
    ids: &[Uuid],
    progress: &Progress,
    retries: u32,
    retried: &AtomicU64,
) -> Result<()> {
    // Per owned stream: (tracked version, global id of its last event); (0, 0) when new.
    let mut tracked: std::collections::HashMap<usize, (u64, PgEventId)> = Default::default();
    for Command { stream, expected, k } in commands {
        let id = ids[stream];
        let (version, last_event_id) = tracked.entry(stream).or_insert((0, 0));
        if *version != expected {
            bail!("writer {w}: tracked version of {id} is {version}, the plan expects {expected}");
        }
        let case = id.to_string();
        let mut attempt = 0;
        loop {
            let events: Vec<DialogueLogged> = (expected + 1..=expected + k)
                .map(|seq| DialogueLogged {
                    kind: workload::KIND.to_string(),
                    case_id: id,
                    seq,
                    note: workload::note(&case, seq),
                })
                .collect();
            let query = disintegrate::query!(DialogueLogged; case_id == id);
            match store.append(events, query, *last_event_id).await {
                Ok(stored) if stored.len() as u64 == k => {
                    *last_event_id = stored.iter().map(|e| e.id()).max().unwrap_or(*last_event_id);
                    *version += k;
                    progress.record(k);
                    break;
                }
                Ok(stored) => bail!("writer {w}: append stored {} events, expected {k}", stored.len()),
                // With --retries, a serialization failure, and a Concurrency error (which is also
                // what a 40001 at COMMIT becomes), is retried: with partitioned streams no other
                // writer can have appended to this stream. The per-stream counts are checked
                // against the plan at the end, so a wrongly retried append cannot go unnoticed.
                Err(e) if attempt < retries
                    && (is_serialization_failure(&e) || matches!(e, disintegrate_postgres::Error::Concurrency)) =>
                {
                    attempt += 1;
                    retried.fetch_add(1, Ordering::Relaxed);
                }
                Err(disintegrate_postgres::Error::Concurrency) => bail!(
                    "writer {w}: concurrency error appending {k} events to {id} at version {expected} \
                     (last event id {last_event_id}, after {attempt} retries); must not happen: streams are \
                     partitioned among writers (PostgreSQL SSI false positive; see --retries)"
                ),
                Err(e) => bail!(
                    "writer {w}: appending {k} events to {id} at version {expected} (after {attempt} retries): {e}{}",
                    if is_serialization_failure(&e) { " (PostgreSQL SSI false positive between writers of different streams; see --retries)" } else { "" }
                ),
            }
        }
    }
    Ok(())
}

/// disintegrate-postgres 4.0.1's `Migrator::init_event_store`, statement by statement
/// (src/event_store/sql/*.sql, then `add_domain_id_column("event", case_id)`), for
/// PostgreSQL < 16: the only change is `0xFFFFFFFF` written as `4294967295` (same bigint).
const PG15_SCHEMA: &str = r#"
CREATE SEQUENCE IF NOT EXISTS seq_event_event_id;

CREATE TABLE IF NOT EXISTS event (
    event_id BIGINT PRIMARY KEY DEFAULT nextval('seq_event_event_id'),
    event_type VARCHAR(255),
    payload BYTEA,
    inserted_at TIMESTAMP DEFAULT now()
);

CREATE INDEX IF NOT EXISTS idx_event_type_btree ON event(event_type);

CREATE OR REPLACE FUNCTION event_store_current_epoch()
RETURNS BIGINT AS $$
DECLARE
    persisted_event_id BIGINT;
    pending_event_id BIGINT;
    db_id INT;
BEGIN
    SELECT COALESCE(MAX(event_id), 0) INTO persisted_event_id FROM event;
    SELECT oid INTO db_id FROM pg_database WHERE datname = current_database();

    SELECT MIN((l3.objid::bigint << 32) + l2.objid::bigint)
    INTO pending_event_id
    FROM pg_locks l1
    INNER JOIN pg_locks l2 ON l1.pid = l2.pid
    INNER JOIN pg_locks l3 ON l1.pid = l3.pid
    WHERE
        l1.classid = db_id
        AND l2.classid = 1
        AND l3.classid = 2
        AND l1.locktype = 'advisory';

    RETURN LEAST(COALESCE(pending_event_id, persisted_event_id), persisted_event_id);
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION event_store_begin_epoch()
RETURNS void AS $$
DECLARE
    id BIGINT;
    db_id INT;
BEGIN
    SELECT last_value INTO id FROM seq_event_event_id;
    SELECT oid INTO db_id FROM pg_database WHERE datname = current_database();

    PERFORM pg_try_advisory_xact_lock_shared(db_id, 0);
    PERFORM pg_try_advisory_xact_lock_shared(1, (id & 4294967295)::bit(32)::integer);
    PERFORM pg_try_advisory_xact_lock_shared(2, (id >> 32)::bit(32)::integer);
END;
$$ LANGUAGE plpgsql;

ALTER TABLE event ADD COLUMN IF NOT EXISTS case_id UUID;

CREATE INDEX IF NOT EXISTS idx_event_case_id ON event (case_id) WHERE case_id IS NOT NULL;
"#;
