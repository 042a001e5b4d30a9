//! Peer benchmark: the append workload (see ../../common/workload.rs) on esrs
//! (event_sourcing.rs, by Prima) with its PostgreSQL store, `PgStore`.
//!
//! Write path: `EventStore::persist(&mut aggregate_state, events)` on a `PgStore`. Each writer
//! keeps one `AggregateState` per stream it owns, in memory, for the whole run; `persist`
//! numbers the k events `sequence_number + 1 ..= sequence_number + k` from that state, inserts
//! them in one transaction (one INSERT each) and bumps the state's sequence number. The unique
//! index on (aggregate_id, sequence_number) turns a stale state into a unique violation.
//! This is the lowest public write API of esrs. `AggregateManager::handle_command` calls the
//! same `persist`, but it consumes the `AggregateState` and returns only the inner state, so an
//! application must `load` the aggregate (read every event of the stream) before each command.
//!
//! esrs has no SQLite store, so `--backend sqlite` fails.

#[path = "../../common/workload.rs"]
mod workload;
#[path = "../../common/pg08.rs"]
mod pg08;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use esrs::store::postgres::{PgStore, PgStoreBuilder, PgStoreError};
use esrs::store::EventStore;
use esrs::{Aggregate, AggregateState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use workload::{Backend, Command, Config, Progress};

const PEER: &str = "esrs";

/// The aggregate; esrs names its table `{NAME}_events`, so the events go to `case_events`.
struct Case;

/// The event: the workload's JSON object, stored as is in the `payload` jsonb column.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
struct CaseEvent(Value);

#[derive(Debug)]
struct CaseError;

impl std::fmt::Display for CaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("case error")
    }
}

impl std::error::Error for CaseError {}

impl Aggregate for Case {
    const NAME: &'static str = "case";
    type State = ();
    type Command = ();
    type Event = CaseEvent;
    type Error = CaseError;

    fn handle_command(_: &(), _: ()) -> Result<Vec<CaseEvent>, CaseError> {
        Ok(vec![])
    }

    fn apply_event(_: (), _: CaseEvent) {}
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("{PEER}: FAILED: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let cfg = Config::from_args()?;
    if cfg.retries > 0 {
        bail!("--retries is not supported by {PEER}: its appends do not run in SERIALIZABLE transactions, so any failure is fatal");
    }
    let payload_len = workload::check_payload_size()?;
    eprintln!(
        "{PEER}: backend={} writers={} streams={} commands={} seed={} payload={payload_len}B",
        cfg.backend.name(),
        cfg.writers,
        cfg.streams,
        cfg.commands,
        cfg.seed
    );
    if cfg.backend != Backend::Postgres {
        bail!("esrs has no SQLite event store (only PostgreSQL); run it with --backend postgres");
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
    // `try_build` runs esrs's own migrations (src/sql/postgres/migrations/*.sql): the
    // `case_events` table, its aggregate_id index, the unique (aggregate_id, sequence_number)
    // index and the `version` column.
    let store: PgStore<Case> = PgStoreBuilder::new(pool.clone())
        .try_build()
        .await
        .context("building the esrs PgStore (running its migrations)")?;
    let table = store.table_name().to_string();
    eprintln!("schema created ({table}); pool of {pool_size} connections");

    let (commands, events, seconds) = append_phase(&cfg, store).await?;

    let (in_db,): (i64,) = sqlx::query_as(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&pool)
        .await?;
    workload::verify_count(&table, in_db, events)?;
    workload::print_result(PEER, cfg.backend, commands, events, seconds);
    Ok(())
}

/// Runs the writers; returns (commands, events, seconds) of the timed append phase.
async fn append_phase(cfg: &Config, store: PgStore<Case>) -> Result<(u64, u64, f64)> {
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
        let (store, ids, progress, barrier) =
            (store.clone(), ids.clone(), progress.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            writer(w, commands, &store, &ids, &progress).await
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

async fn writer(
    w: usize,
    commands: Vec<Command>,
    store: &PgStore<Case>,
    ids: &[Uuid],
    progress: &Progress,
) -> Result<()> {
    // The writer's tracked versions: one esrs AggregateState per owned stream, all at 0 (the
    // database is fresh), created on first use.
    let mut states: std::collections::HashMap<usize, AggregateState<()>> = Default::default();
    for Command { stream, expected, k } in commands {
        let id = ids[stream];
        let state = states
            .entry(stream)
            .or_insert_with(|| AggregateState::with_id(id));
        if *state.sequence_number() as u64 != expected {
            bail!("writer {w}: tracked version of {id} is {}, the plan expects {expected}", state.sequence_number());
        }
        let case = id.to_string();
        let events: Vec<CaseEvent> = (expected + 1..=expected + k)
            .map(|seq| CaseEvent(workload::payload(&case, seq)))
            .collect();
        match store.persist(state, events).await {
            Ok(stored) if stored.len() as u64 == k => progress.record(k),
            Ok(stored) => bail!("writer {w}: persist stored {} events, expected {k}", stored.len()),
            Err(PgStoreError::Sqlx(sqlx::Error::Database(e))) if e.is_unique_violation() => bail!(
                "writer {w}: conflict appending {k} events to {id} at version {expected} \
                 (must not happen: streams are partitioned among writers): {e}"
            ),
            Err(e) => bail!("writer {w}: appending {k} events to {id} at version {expected}: {e}"),
        }
        if *state.sequence_number() as u64 != expected + k {
            bail!("writer {w}: {id} is at {} after the append, expected {}", state.sequence_number(), expected + k);
        }
    }
    Ok(())
}
