//! The preloaded database: generated once per backend and size, then reused.
//!
//! SQLite: `target/bench-data/api-<cases>/sqlite/banso.db` (read models beside it in
//! `banso.read.db`). PostgreSQL: the database `banso_bench_api_<cases>`, created if missing.
//! A manifest (`target/bench-data/api-<cases>/<backend>.json`) is written once the load has
//! finished; a later run reuses the database when the manifest matches the requested shape and
//! the store holds at least the events it lists. Anything else (no manifest, an interrupted
//! load, another shape) recreates the database from scratch.
//!
//! The load appends directly with `EventStore::append`: generator threads decide the cases
//! (see `dataset`), appender tasks write each chunk's appends in order, several chunks at once
//! so that the store's group commit has company.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use banso_events::domain::vocab::{AgencyKind, Stage};
use banso_events::{EventStore, StoreConfig};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection};

use crate::dataset::{self, ChunkOut, Shape};

/// Bumped whenever the generator changes what it writes: older databases are then rebuilt.
pub const GENERATOR_VERSION: u32 = 3;

pub use banso_events::Backend;

/// What was loaded, kept beside the database.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: u32,
    pub cases: u64,
    pub agencies: usize,
    pub seed: u64,
    /// The day the data set was generated for (every fact lies before it).
    pub today: String,
    /// Events the data set consists of (the store may hold more: earlier runs' mutations).
    pub events: u64,
    pub appends: u64,
    pub load_seconds: f64,
    /// Per agency: its id, its hub supporter (who signs the benchmark's requests).
    pub agency_ids: Vec<uuid::Uuid>,
    pub hub_ids: Vec<uuid::Uuid>,
    /// The agency (index) holding case `n` is `holders[n - 1]`.
    pub holders: Vec<u16>,
    /// Cases in execution with their first measure in progress: (case number, holder, the day
    /// the measure started).
    pub targets: Vec<(u64, u16, String)>,
    /// Cases per stage, in `Stage::ALL` order.
    pub stages: Vec<u64>,
}

/// Where one backend's data set lives.
pub struct Target {
    pub backend: Backend,
    /// The event store's URL.
    pub url: String,
    pub manifest: PathBuf,
}

impl Target {
    pub fn new(backend: Backend, data_dir: &Path, postgres: &str, cases: u64) -> Self {
        let dir = data_dir.join(format!("api-{cases}"));
        let url = match backend {
            Backend::Sqlite => {
                format!("sqlite://{}", dir.join("sqlite").join("banso.db").display())
            }
            Backend::Postgres => {
                format!("{}/banso_bench_api_{cases}", postgres.trim_end_matches('/'))
            }
        };
        Self {
            backend,
            url,
            manifest: dir.join(format!("{}.json", backend.name())),
        }
    }
}

/// The store settings of the loader: PostgreSQL without LISTEN (no one else is writing).
fn store_config() -> StoreConfig {
    let mut config = StoreConfig::default();
    config.postgres.listen = false;
    config
}

/// Reuse the data set at `target` if it matches `shape`, or generate and load it.
/// Returns the manifest and whether it was loaded in this run.
pub async fn ensure(target: &Target, shape: &Shape, appenders: usize) -> Result<(Manifest, bool)> {
    if let Some(manifest) = reusable(target, shape).await? {
        return Ok((manifest, false));
    }
    reset(target).await?;
    let manifest = load(target, shape, appenders).await?;
    if let Some(dir) = target.manifest.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&target.manifest, serde_json::to_vec(&manifest)?)?;
    Ok((manifest, true))
}

async fn reusable(target: &Target, shape: &Shape) -> Result<Option<Manifest>> {
    let Ok(bytes) = std::fs::read(&target.manifest) else {
        return Ok(None);
    };
    let Ok(manifest) = serde_json::from_slice::<Manifest>(&bytes) else {
        return Ok(None);
    };
    if manifest.generator != GENERATOR_VERSION
        || manifest.cases != shape.cases
        || manifest.agencies != shape.agencies
        || manifest.seed != shape.seed
    {
        return Ok(None);
    }
    if target.backend == Backend::Postgres && !postgres_database_exists(&target.url).await? {
        return Ok(None);
    }
    if target.backend == Backend::Sqlite
        && !Path::new(target.url.trim_start_matches("sqlite://")).exists()
    {
        return Ok(None);
    }
    let store = EventStore::connect(&target.url, &store_config()).await?;
    let head = store.head().await;
    store.close().await;
    let head = head?.0;
    if head < manifest.events {
        eprintln!(
            "{}: the store holds {head} events, the manifest {}; loading again",
            target.backend.name(),
            manifest.events
        );
        return Ok(None);
    }
    Ok(Some(manifest))
}

/// Remove what an earlier (possibly interrupted) load left.
async fn reset(target: &Target) -> Result<()> {
    let _ = std::fs::remove_file(&target.manifest);
    match target.backend {
        Backend::Sqlite => {
            let db = PathBuf::from(target.url.trim_start_matches("sqlite://"));
            if let Some(dir) = db.parent() {
                let _ = std::fs::remove_dir_all(dir);
                std::fs::create_dir_all(dir)?;
            }
        }
        Backend::Postgres => recreate_postgres_database(&target.url).await?,
    }
    Ok(())
}

fn database_name(url: &str) -> Result<(PgConnectOptions, String)> {
    let options = PgConnectOptions::from_str(url).context("parsing the PostgreSQL URL")?;
    let db = options
        .get_database()
        .context("the PostgreSQL URL names no database")?
        .to_owned();
    if !db.starts_with("banso_bench_") || !db.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        bail!("refusing to touch the database {db:?}: the benchmark only uses banso_bench_*");
    }
    Ok((options, db))
}

async fn postgres_database_exists(url: &str) -> Result<bool> {
    let (options, db) = database_name(url)?;
    let mut admin = sqlx::PgConnection::connect_with(&options.database("postgres"))
        .await
        .context("connecting to PostgreSQL")?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&db)
            .fetch_one(&mut admin)
            .await?;
    admin.close().await?;
    Ok(exists)
}

/// What autovacuum would do after a bulk load, done now rather than during a phase: refresh
/// the planner's statistics and the visibility map, and write the dirty pages out.
pub async fn settle_postgres(url: &str) -> Result<()> {
    let (options, _) = database_name(url)?;
    let mut conn = sqlx::PgConnection::connect_with(&options).await?;
    sqlx::query("VACUUM (ANALYZE)").execute(&mut conn).await?;
    sqlx::query("CHECKPOINT").execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

async fn recreate_postgres_database(url: &str) -> Result<()> {
    let (options, db) = database_name(url)?;
    let mut admin = sqlx::PgConnection::connect_with(&options.database("postgres"))
        .await
        .context("connecting to PostgreSQL")?;
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    Ok(())
}

/// Generate the data set and append it.
async fn load(target: &Target, shape: &Shape, appenders: usize) -> Result<Manifest> {
    let started = Instant::now();
    let store = EventStore::connect(&target.url, &store_config())
        .await
        .with_context(|| format!("opening the event store at {}", target.url))?;
    let agencies = Arc::new(dataset::agencies(shape));
    let (dir, setup) = dataset::setup(shape, &agencies)?;
    let mut events = 0u64;
    let mut appends = 0u64;
    for request in setup {
        events += request.event_count() as u64;
        appends += 1;
        store.append(request).await?;
    }
    let yorozu: Arc<Vec<usize>> = Arc::new(
        (0..agencies.len())
            .filter(|&i| agencies[i].kind == AgencyKind::YorozuSupportCenter)
            .collect(),
    );

    // Generator threads feed a bounded queue of chunks; appender tasks drain it.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<ChunkOut>>(appenders * 2);
    let next = Arc::new(AtomicUsize::new(0));
    let mut generators = Vec::new();
    for _ in 0..threads {
        let (tx, next, shape, agencies, yorozu) = (
            tx.clone(),
            next.clone(),
            shape.clone(),
            agencies.clone(),
            yorozu.clone(),
        );
        let mut dir = dir.clone();
        generators.push(std::thread::spawn(move || {
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= shape.chunks() {
                    break;
                }
                let out = dataset::generate_chunk(&shape, &agencies, &yorozu, &mut dir, k);
                let failed = out.is_err();
                if tx.blocking_send(out).is_err() || failed {
                    break;
                }
            }
        }));
    }
    drop(tx);
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    let written = Arc::new(AtomicU64::new(0));
    let requests = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..appenders.max(1) {
        let (rx, store, written, requests) =
            (rx.clone(), store.clone(), written.clone(), requests.clone());
        tasks.push(tokio::spawn(async move {
            let mut outs = Vec::new();
            loop {
                let next = rx.lock().await.recv().await;
                let Some(out) = next else { break };
                let mut out = out?;
                for request in std::mem::take(&mut out.requests) {
                    let n = request.event_count() as u64;
                    store.append(request).await?;
                    written.fetch_add(n, Ordering::Relaxed);
                    requests.fetch_add(1, Ordering::Relaxed);
                }
                store.save_snapshots(std::mem::take(&mut out.snapshots));
                out.requests = Vec::new();
                outs.push(out);
            }
            anyhow::Ok(outs)
        }));
    }
    let progress = {
        let written = written.clone();
        let total_hint = shape.cases * 34;
        tokio::spawn(async move {
            let begun = Instant::now();
            loop {
                tokio::time::sleep(Duration::from_secs(10)).await;
                let n = written.load(Ordering::Relaxed);
                eprintln!(
                    "  loaded {n} events (~{:.0}%), {:.0} events/s",
                    100.0 * n as f64 / total_hint as f64,
                    n as f64 / begun.elapsed().as_secs_f64()
                );
            }
        })
    };
    let mut outs = Vec::new();
    let mut failure = None;
    for task in tasks {
        match task.await? {
            Ok(o) => outs.extend(o),
            Err(e) => failure = Some(e),
        }
    }
    progress.abort();
    for g in generators {
        let _ = g.join();
    }
    store.close().await;
    if let Some(e) = failure {
        return Err(e.context("loading the data set"));
    }

    let mut holders = vec![0u16; shape.cases as usize];
    let mut targets = Vec::new();
    let mut stages = vec![0u64; Stage::ALL.len()];
    let mut cases = 0u64;
    for out in &outs {
        events += out.events;
        for &(no, holder) in &out.holders {
            holders[(no - 1) as usize] = holder;
            cases += 1;
        }
        targets.extend(
            out.targets
                .iter()
                .map(|&(no, h, day)| (no, h, day.to_string())),
        );
        for (s, n) in stages.iter_mut().zip(out.stages) {
            *s += n;
        }
    }
    if cases != shape.cases {
        bail!("generated {cases} cases, expected {}", shape.cases);
    }
    appends += requests.load(Ordering::Relaxed);
    targets.sort_by_key(|t| t.0);
    Ok(Manifest {
        generator: GENERATOR_VERSION,
        cases: shape.cases,
        agencies: shape.agencies,
        seed: shape.seed,
        today: shape.today.to_string(),
        events,
        appends,
        load_seconds: started.elapsed().as_secs_f64(),
        agency_ids: agencies.iter().map(|a| a.id.0).collect(),
        hub_ids: agencies
            .iter()
            .map(|a| a.staff[dataset::HUB].id.0)
            .collect(),
        holders,
        targets,
        stages,
    })
}

/// The agencies of a manifest, for building requests.
pub fn hub_of(manifest: &Manifest, agency: usize) -> (uuid::Uuid, uuid::Uuid) {
    (manifest.agency_ids[agency], manifest.hub_ids[agency])
}
