//! Peer benchmark: the append workload (see ../../common/workload.rs) on cqrs-es, through the
//! event repository of postgres-es (`--backend postgres`) or sqlite-es (`--backend sqlite`).
//!
//! Write path: `PersistedEventRepository::persist::<Case>(&events, None)`, with `events` the k
//! `SerializedEvent`s carrying sequence numbers expected+1 ..= expected+k. This is the lowest
//! public write API of cqrs-es: one transaction, one INSERT per event, and the primary key
//! (aggregate_type, aggregate_id, sequence) turns a stale expected version into an
//! `OptimisticLockError`. The framework's `CqrsFramework::execute` would first load the whole
//! aggregate (every event of the stream) before each append.

#[path = "../../common/workload.rs"]
mod workload;
#[path = "../../common/pg08.rs"]
mod pg08;

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use cqrs_es::persist::{PersistedEventRepository, PersistenceError, SerializedEvent};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use postgres_es::PostgresEventRepository;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlite_es::SqliteEventRepository;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use workload::{Backend, Command, Config, Progress};

const PEER: &str = "cqrs-es";

/// The aggregate type the events belong to. cqrs-es needs an `Aggregate` for `A::TYPE` (stored
/// in the `aggregate_type` column); its command handling is never used here.
#[derive(Default, Serialize, Deserialize)]
struct Case;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum CaseEvent {
    DialogueLogged(Value),
}

impl DomainEvent for CaseEvent {
    fn event_type(&self) -> String {
        "dialogue_logged".to_string()
    }
    fn event_version(&self) -> String {
        "1.0".to_string()
    }
}

#[derive(Debug)]
struct CaseError;

impl std::fmt::Display for CaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("case error")
    }
}

impl std::error::Error for CaseError {}

impl Aggregate for Case {
    const TYPE: &'static str = "Case";
    type Command = ();
    type Event = CaseEvent;
    type Error = CaseError;
    type Services = ();

    async fn handle(&mut self, _: (), _: &(), _: &EventSink<Self>) -> Result<(), CaseError> {
        Ok(())
    }

    fn apply(&mut self, _: CaseEvent) {}
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
    match cfg.backend {
        Backend::Postgres => {
            let opts = pg08::recreate_pg_database(&cfg.url).await?;
            let pool_size = cfg.pool.unwrap_or(cfg.writers as u32);
            let pool = PgPoolOptions::new()
                .max_connections(pool_size)
                .min_connections(pool_size)
                .acquire_timeout(Duration::from_secs(120))
                .connect_with(opts)
                .await
                .context("connecting to the benchmark database")?;
            // The schema postgres-es ships in db/init.sql (events and snapshots tables; the
            // example view table and test rows are left out).
            sqlx::raw_sql(PG_SCHEMA)
                .execute(&pool)
                .await
                .context("creating the postgres-es schema")?;
            eprintln!("schema created; pool of {pool_size} connections");
            let repo = PostgresEventRepository::new(pool.clone());
            let (commands, events, seconds) = append_phase(&cfg, repo).await?;
            let (in_db,): (i64,) = sqlx::query_as("SELECT count(*) FROM events")
                .fetch_one(&pool)
                .await?;
            workload::verify_count("events", in_db, events)?;
            workload::print_result(PEER, cfg.backend, commands, events, seconds);
        }
        Backend::Sqlite => {
            let path = workload::fresh_sqlite_file(&cfg.url)?;
            let opts = SqliteConnectOptions::from_str(&cfg.url)
                .context("parsing the sqlite URL")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(120));
            // sqlite-es's own `default_sqlite_pool` uses 10 connections (with synchronous=NORMAL).
            let pool_size = cfg.pool.unwrap_or(10);
            let pool = SqlitePoolOptions::new()
                .max_connections(pool_size)
                .min_connections(pool_size)
                .acquire_timeout(Duration::from_secs(120))
                .connect_with(opts)
                .await
                .with_context(|| format!("opening {path}"))?;
            let (mode, sync): (String, i64) =
                sqlx::query_as("SELECT journal_mode, (SELECT synchronous FROM pragma_synchronous) FROM pragma_journal_mode")
                    .fetch_one(&pool)
                    .await?;
            if mode != "wal" || sync != 2 {
                bail!("expected journal_mode=wal and synchronous=FULL(2), got {mode} and {sync}");
            }
            // The schema sqlite-es ships in migrations/20221114171845_init.sql.
            sqlx::raw_sql(SQLITE_SCHEMA)
                .execute(&pool)
                .await
                .context("creating the sqlite-es schema")?;
            eprintln!("schema created in {path} (WAL, synchronous=FULL); pool of {pool_size} connections");
            let repo = SqliteEventRepository::new(pool.clone());
            let (commands, events, seconds) = append_phase(&cfg, repo).await?;
            let (in_db,): (i64,) = sqlx::query_as("SELECT count(*) FROM events")
                .fetch_one(&pool)
                .await?;
            workload::verify_count("events", in_db, events)?;
            pool.close().await;
            workload::print_result(PEER, cfg.backend, commands, events, seconds);
        }
    }
    Ok(())
}

/// Runs the writers; returns (commands, events, seconds) of the timed append phase.
async fn append_phase<R>(cfg: &Config, repo: R) -> Result<(u64, u64, f64)>
where
    R: PersistedEventRepository + 'static,
{
    let ids: Arc<Vec<String>> = Arc::new(
        workload::stream_ids(cfg.seed, cfg.streams)
            .iter()
            .map(workload::uuid_string)
            .collect(),
    );
    let plan = workload::plan(cfg);
    let repo = Arc::new(repo);
    let progress = Arc::new(Progress::default());
    let barrier = Arc::new(tokio::sync::Barrier::new(cfg.writers + 1));
    let mut tasks = Vec::with_capacity(cfg.writers);
    for (w, commands) in plan.into_iter().enumerate() {
        let (repo, ids, progress, barrier) =
            (repo.clone(), ids.clone(), progress.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            writer(w, commands, &*repo, &ids, &progress).await
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

async fn writer<R: PersistedEventRepository>(
    w: usize,
    commands: Vec<Command>,
    repo: &R,
    ids: &[String],
    progress: &Progress,
) -> Result<()> {
    for Command { stream, expected, k } in commands {
        let case = &ids[stream];
        let events: Vec<SerializedEvent> = (expected + 1..=expected + k)
            .map(|seq| {
                SerializedEvent::new(
                    case.clone(),
                    seq as usize,
                    Case::TYPE.to_string(),
                    "dialogue_logged".to_string(),
                    "1.0".to_string(),
                    workload::payload(case, seq),
                    Value::Object(Default::default()),
                )
            })
            .collect();
        match repo.persist::<Case>(&events, None).await {
            Ok(()) => progress.record(k),
            Err(PersistenceError::OptimisticLockError) => bail!(
                "writer {w}: optimistic lock conflict appending {k} events to {case} at version {expected} \
                 (must not happen: streams are partitioned among writers)"
            ),
            Err(e) => bail!("writer {w}: appending {k} events to {case} at version {expected}: {e}"),
        }
    }
    Ok(())
}

const PG_SCHEMA: &str = r#"
CREATE TABLE events
(
    aggregate_type text                         NOT NULL,
    aggregate_id   text                         NOT NULL,
    sequence       bigint CHECK (sequence >= 0) NOT NULL,
    event_type     text                         NOT NULL,
    event_version  text                         NOT NULL,
    payload        json                         NOT NULL,
    metadata       json                         NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

CREATE TABLE snapshots
(
    aggregate_type   text                                 NOT NULL,
    aggregate_id     text                                 NOT NULL,
    last_sequence    bigint CHECK (last_sequence >= 0)    NOT NULL,
    current_snapshot bigint CHECK (current_snapshot >= 0) NOT NULL,
    payload          json                                 NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
);
"#;

const SQLITE_SCHEMA: &str = r#"
CREATE TABLE events
(
  aggregate_type text                          NOT NULL,
  aggregate_id   text                          NOT NULL,
  sequence       integer CHECK (sequence >= 0) NOT NULL,
  event_type     text                          NOT NULL,
  event_version  text                          NOT NULL,
  payload        text                          NOT NULL,
  metadata       text                          NOT NULL,
  PRIMARY KEY (aggregate_type, aggregate_id, sequence)
) STRICT;

CREATE TABLE snapshots
(
  aggregate_type   text                                  NOT NULL,
  aggregate_id     text                                  NOT NULL,
  last_sequence    integer CHECK (last_sequence >= 0)    NOT NULL,
  current_snapshot integer CHECK (current_snapshot >= 0) NOT NULL,
  payload          text                                  NOT NULL,
  PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
) STRICT;
"#;
