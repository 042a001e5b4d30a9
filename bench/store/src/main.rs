//! The store benchmark: Banso's append and read throughput against raw SQL on the same database,
//! in the same run, on SQLite and PostgreSQL.
//!
//! The append workload is the one the peer benchmarks run (`bench/peers/common/workload.rs`,
//! included here so that the plan and payloads are identical): 64 concurrent writers, 10,000
//! case streams partitioned among them, each command appending 1 to 3 events of 300 bytes with
//! an exact expected version. Durable settings on both sides: SQLite WAL with
//! `synchronous=FULL`, PostgreSQL with `synchronous_commit=on`.
//!
//! - `raw_insert`: the same rows written by plain INSERTs into a plain table (primary key only)
//!   on the same database with the same durability: the practical limit. The batching mirrors
//!   what 64 acknowledged writers allow: on SQLite, one connection commits the rows of up to 64
//!   commands per transaction (the most that can be waiting at once); on PostgreSQL, 64
//!   connections each commit one command's rows per multi-row INSERT.
//! - `read`: `read_all` from position 0 in batches of 1,000; `raw_read` is a plain ordered
//!   SELECT of the same rows, decoding the same columns.
//!
//! Human-readable lines go to stderr; the last line on stdout is one JSON object per backend.
//! `bench/run store` builds this in release mode, runs the peers and prints the whole table.

#[allow(dead_code, clippy::all)]
#[path = "../../peers/common/workload.rs"]
mod workload;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use banso_events::{
    AppendRequest, EventStore, ExpectedVersion, Metadata, NewEvent, Position, StoreConfig,
    StreamId, StreamType,
};
use clap::Parser;
use serde_json::json;
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, Row};
use uuid::Uuid;

#[derive(Parser, Debug)]
#[command(about = "Banso's event store against raw SQL on the same database")]
struct Args {
    /// Directory for the SQLite files (recreated).
    #[arg(long, default_value = "target/bench-store")]
    sqlite_dir: PathBuf,
    /// PostgreSQL server; the database named here is dropped and recreated.
    #[arg(
        long,
        default_value = "postgres://postgres@127.0.0.1:5432/banso_bench_store"
    )]
    postgres_url: String,
    /// Which backends to measure.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    backends: Vec<String>,
    #[arg(long, default_value_t = 64)]
    writers: usize,
    #[arg(long, default_value_t = 10_000)]
    streams: usize,
    #[arg(long, default_value_t = 20_000)]
    commands: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// PostgreSQL connections, for our store and for the raw writers alike (both pools are
    /// open at once, and the server allows 100 connections by default).
    #[arg(long, default_value_t = 32)]
    pg_connections: u32,
    /// PostgreSQL writer tasks of our store (and connections of the raw batched insert).
    #[arg(long, default_value_t = 2)]
    pg_writers: usize,
    /// The most appends in one PostgreSQL batch (and commands per raw transaction).
    #[arg(long, default_value_t = 64)]
    pg_batch: usize,
    /// How many times each read is repeated (the median counts).
    #[arg(long, default_value_t = 5)]
    reads: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Sqlite,
    Postgres,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Which::Sqlite => "sqlite",
            Which::Postgres => "postgres",
        }
    }
}

/// The raw table: plain (primary key only, the baseline), or with the unique indexes our store
/// keeps on event ids and stream versions (a diagnostic).
#[derive(Clone, Copy)]
enum RawTable {
    Plain,
    WithOurIndexes,
}

impl RawTable {
    fn name(self) -> &'static str {
        match self {
            RawTable::Plain => "raw insert",
            RawTable::WithOurIndexes => "raw insert, indexed",
        }
    }

    fn file(self) -> &'static str {
        match self {
            RawTable::Plain => "raw.db",
            RawTable::WithOurIndexes => "raw-indexed.db",
        }
    }

    /// The statements that recreate the raw table's extra indexes.
    fn indexes(self) -> &'static [&'static str] {
        match self {
            RawTable::Plain => &[],
            RawTable::WithOurIndexes => &[
                "CREATE UNIQUE INDEX raw_event_id ON raw_events (event_id)",
                "CREATE UNIQUE INDEX raw_stream_version \
                 ON raw_events (stream_type, stream_id, version)",
            ],
        }
    }
}

struct Figures {
    append_events_per_s: f64,
    raw_insert_events_per_s: f64,
    read_events_per_s: f64,
    raw_read_events_per_s: f64,
    events: u64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = Args::parse();
    let cfg = workload::Config {
        backend: workload::Backend::Sqlite,
        url: String::new(),
        writers: args.writers,
        streams: args.streams,
        commands: args.commands,
        seed: args.seed,
        pool: None,
        retries: 0,
    };
    workload::check_payload_size()?;
    let plan = workload::plan(&cfg);
    let streams: Vec<Uuid> = workload::stream_ids(args.seed, args.streams)
        .into_iter()
        .map(Uuid::from_bytes)
        .collect();
    let events: u64 = plan.iter().flatten().map(|c| c.k).sum();
    eprintln!(
        "workload: {} writers, {} streams, {} commands, {events} events of {} bytes",
        args.writers,
        args.streams,
        args.commands,
        workload::PAYLOAD_BYTES
    );

    let mut out = serde_json::Map::new();
    for name in &args.backends {
        let which = match name.as_str() {
            "sqlite" => Which::Sqlite,
            "postgres" => Which::Postgres,
            other => bail!("unknown backend {other:?}: use sqlite and/or postgres"),
        };
        let f = measure(which, &args, &plan, &streams).await?;
        if f.events != events {
            bail!("{name}: wrote {} events, the plan has {events}", f.events);
        }
        eprintln!(
            "{name:8} append {:>9.0} ev/s  raw insert {:>9.0} ev/s  ratio {:.2} | read {:>9.0} ev/s  raw read {:>9.0} ev/s  ratio {:.2}",
            f.append_events_per_s,
            f.raw_insert_events_per_s,
            f.append_events_per_s / f.raw_insert_events_per_s,
            f.read_events_per_s,
            f.raw_read_events_per_s,
            f.read_events_per_s / f.raw_read_events_per_s,
        );
        out.insert(
            name.clone(),
            json!({
                "append_events_per_s": f.append_events_per_s.round(),
                "raw_insert_events_per_s": f.raw_insert_events_per_s.round(),
                "append_ratio": round2(f.append_events_per_s / f.raw_insert_events_per_s),
                "read_events_per_s": f.read_events_per_s.round(),
                "raw_read_events_per_s": f.raw_read_events_per_s.round(),
                "read_ratio": round2(f.read_events_per_s / f.raw_read_events_per_s),
                "events": f.events,
            }),
        );
    }
    println!("{}", serde_json::Value::Object(out));
    Ok(())
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

async fn measure(
    which: Which,
    args: &Args,
    plan: &[Vec<workload::Command>],
    streams: &[Uuid],
) -> Result<Figures> {
    let url = match which {
        Which::Sqlite => {
            let _ = std::fs::remove_dir_all(&args.sqlite_dir);
            std::fs::create_dir_all(&args.sqlite_dir)?;
            format!("sqlite://{}", args.sqlite_dir.join("banso.db").display())
        }
        Which::Postgres => {
            recreate_database(&args.postgres_url).await?;
            args.postgres_url.clone()
        }
    };
    let mut config = StoreConfig::default();
    config.postgres.max_connections = args.pg_connections;
    config.postgres.listen = false;
    config.postgres.writers = args.pg_writers;
    config.postgres.max_batch = args.pg_batch;
    let store = EventStore::connect(&url, &config).await?;

    // Our append.
    let wal = WalMeter::start(&store).await?;
    let started = Instant::now();
    let written = append_all(&store, plan, streams).await?;
    let append_s = started.elapsed().as_secs_f64();
    wal.report(&store, "append", written).await?;

    // The same rows, raw.
    let rows = rows_of(plan, streams);
    let mut raw_s = 0.0;
    for table in [RawTable::Plain, RawTable::WithOurIndexes] {
        let wal = WalMeter::start(&store).await?;
        let seconds = match which {
            Which::Sqlite => {
                raw_insert_sqlite(&args.sqlite_dir, &rows, args.writers, table).await?
            }
            Which::Postgres => {
                // As many connections as our writers; each transaction carries the commands of
                // an equal share of the 64 writers (64 in flight at most, as for our store).
                let connections = config.postgres.writers.max(1);
                let batch = args
                    .writers
                    .div_ceil(connections)
                    .min(config.postgres.max_batch);
                raw_insert_postgres(&url, &rows, connections, batch, table).await?
            }
        };
        wal.report(&store, table.name(), written).await?;
        match table {
            RawTable::Plain => raw_s = seconds,
            // A diagnostic, not part of the JSON: how much of the gap between our append and
            // the plain raw insert is the cost of the two unique indexes that keep stream
            // versions and event ids unique.
            RawTable::WithOurIndexes => eprintln!(
                "{}: raw insert with our two unique indexes {:.0} ev/s",
                which.name(),
                written as f64 / seconds
            ),
        }
    }

    // Reads, alternating ours and raw, median of `reads` runs each.
    let head = store.head().await?;
    store
        .wait_for(head, std::time::Duration::from_secs(60))
        .await?;
    let mut ours = Vec::new();
    let mut raw = Vec::new();
    for _ in 0..args.reads.max(1) {
        let started = Instant::now();
        let n = read_all(&store).await?;
        ours.push(n as f64 / started.elapsed().as_secs_f64());
        if n != written {
            bail!("read {n} events, wrote {written}");
        }
        let started = Instant::now();
        let n = match &store {
            EventStore::Sqlite(s) => raw_read_sqlite(s.pool()).await?,
            EventStore::Postgres(p) => raw_read_postgres(p.pool()).await?,
        };
        raw.push(n as f64 / started.elapsed().as_secs_f64());
        if n != written {
            bail!("raw read {n} events, wrote {written}");
        }
    }
    store.close().await;
    Ok(Figures {
        append_events_per_s: written as f64 / append_s,
        raw_insert_events_per_s: written as f64 / raw_s,
        read_events_per_s: median(&mut ours),
        raw_read_events_per_s: median(&mut raw),
        events: written,
    })
}

/// WAL written by PostgreSQL during a phase (explains where the time of an append goes).
struct WalMeter(Option<String>);

impl WalMeter {
    async fn start(store: &EventStore) -> Result<Self> {
        Ok(Self(match store {
            EventStore::Postgres(p) => Some(
                sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
                    .fetch_one(p.pool())
                    .await?,
            ),
            EventStore::Sqlite(_) => None,
        }))
    }

    async fn report(self, store: &EventStore, phase: &str, events: u64) -> Result<()> {
        if let (Some(start), EventStore::Postgres(p)) = (self.0, store) {
            let bytes: f64 = sqlx::query_scalar(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::float8",
            )
            .bind(start)
            .fetch_one(p.pool())
            .await?;
            eprintln!(
                "postgres {phase}: {:.1} MB of WAL, {:.0} bytes per event",
                bytes / 1e6,
                bytes / events as f64
            );
        }
        Ok(())
    }
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

async fn append_all(
    store: &EventStore,
    plan: &[Vec<workload::Command>],
    streams: &[Uuid],
) -> Result<u64> {
    let case = StreamType::new("case")?;
    let streams = Arc::new(streams.to_vec());
    let mut tasks = Vec::new();
    for commands in plan {
        let store = store.clone();
        let commands = commands.clone();
        let streams = streams.clone();
        let case = case.clone();
        tasks.push(tokio::spawn(async move {
            let mut events = 0u64;
            for c in commands {
                let id = streams[c.stream];
                let case_text = id.to_string();
                let new_events = (1..=c.k)
                    .map(|i| {
                        NewEvent::json(
                            "DialogueLogged",
                            1,
                            &workload::payload(&case_text, c.expected + i),
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let request = AppendRequest::to_stream(
                    Metadata::for_command(Uuid::now_v7()),
                    StreamId::new(case.clone(), id),
                    ExpectedVersion::Exact(c.expected),
                    new_events,
                );
                store.append(request).await?;
                events += c.k;
            }
            anyhow::Ok(events)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    Ok(total)
}

async fn read_all(store: &EventStore) -> Result<u64> {
    let mut after = Position::START;
    let mut n = 0u64;
    loop {
        let batch = store.read_all(after, 1_000).await?;
        let Some(last) = batch.last() else { break };
        after = last.position;
        n += batch.len() as u64;
    }
    Ok(n)
}

/// One raw row: the columns our store writes, with the same values.
struct RawRow {
    event_id: Uuid,
    stream_id: Uuid,
    version: i64,
    payload: String,
    command_id: Uuid,
}

/// The rows of every command, in the order concurrent writers would interleave them
/// (round-robin over writers), grouped per command.
fn rows_of(plan: &[Vec<workload::Command>], streams: &[Uuid]) -> Vec<Vec<RawRow>> {
    let longest = plan.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = Vec::new();
    for i in 0..longest {
        for writer in plan {
            let Some(c) = writer.get(i) else { continue };
            let id = streams[c.stream];
            let command_id = Uuid::now_v7();
            let case_text = id.to_string();
            out.push(
                (1..=c.k)
                    .map(|k| RawRow {
                        event_id: Uuid::now_v7(),
                        stream_id: id,
                        version: (c.expected + k) as i64,
                        payload: workload::payload(&case_text, c.expected + k).to_string(),
                        command_id,
                    })
                    .collect(),
            );
        }
    }
    out
}

const RAW_COLUMNS: &str = "event_id, stream_type, stream_id, version, event_type, \
     schema_version, payload, actor, agency, command_id, correlation_id, causation_id, \
     recorded_at";

async fn raw_insert_sqlite(
    dir: &std::path::Path,
    commands: &[Vec<RawRow>],
    writers: usize,
    table: RawTable,
) -> Result<f64> {
    let path = dir.join(table.file());
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
    sqlx::query(
        "CREATE TABLE raw_events (position INTEGER PRIMARY KEY, event_id BLOB NOT NULL, \
         stream_type TEXT NOT NULL, stream_id BLOB NOT NULL, version INTEGER NOT NULL, \
         event_type TEXT NOT NULL, schema_version INTEGER NOT NULL, payload TEXT NOT NULL, \
         actor BLOB, agency BLOB, command_id BLOB NOT NULL, correlation_id BLOB NOT NULL, \
         causation_id BLOB, recorded_at INTEGER NOT NULL)",
    )
    .execute(&mut conn)
    .await?;
    for sql in table.indexes() {
        sqlx::query(*sql).execute(&mut conn).await?;
    }
    let now = micros_now();
    let started = Instant::now();
    for group in commands.chunks(writers.max(1)) {
        let rows: Vec<&RawRow> = group.iter().flatten().collect();
        let mut tx = conn.begin().await?;
        // Fixed chunk sizes, so that sqlx's statement cache holds every shape.
        for chunk in fixed_chunks(&rows) {
            let sql = values_sql(RAW_COLUMNS, chunk.len(), 13, |i| format!("?{i}"));
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for r in chunk {
                q = q
                    .bind(r.event_id)
                    .bind("case")
                    .bind(r.stream_id)
                    .bind(r.version)
                    .bind("DialogueLogged")
                    .bind(1i64)
                    .bind(r.payload.as_str())
                    .bind(None::<Uuid>)
                    .bind(None::<Uuid>)
                    .bind(r.command_id)
                    .bind(r.command_id)
                    .bind(None::<Uuid>)
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(started.elapsed().as_secs_f64())
}

async fn raw_insert_postgres(
    url: &str,
    commands: &[Vec<RawRow>],
    connections: usize,
    batch: usize,
    table: RawTable,
) -> Result<f64> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(connections as u32)
        .min_connections(connections as u32)
        .connect(url)
        .await?;
    sqlx::query("DROP TABLE IF EXISTS raw_events")
        .execute(&pool)
        .await?;
    sqlx::query(
        "CREATE TABLE raw_events (position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
         event_id uuid NOT NULL, stream_type text NOT NULL, stream_id uuid NOT NULL, \
         version bigint NOT NULL, event_type text NOT NULL, schema_version integer NOT NULL, \
         payload jsonb NOT NULL, actor uuid, agency uuid, command_id uuid NOT NULL, \
         correlation_id uuid NOT NULL, causation_id uuid, recorded_at timestamptz NOT NULL)",
    )
    .execute(&pool)
    .await?;
    for sql in table.indexes() {
        sqlx::query(*sql).execute(&pool).await?;
    }
    // `connections` connections, each committing the rows of `batch` commands per transaction:
    // the batching our group commit can reach at best.
    let batches: Vec<Vec<&RawRow>> = commands
        .chunks(batch.max(1))
        .map(|group| group.iter().flatten().collect())
        .collect();
    let now = time::OffsetDateTime::now_utc();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let started = Instant::now();
    let work = (0..connections).map(|_| async {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(rows) = batches.get(i) else { break };
            let mut tx = pool.begin().await?;
            for chunk in fixed_chunks(rows) {
                let sql = values_sql(RAW_COLUMNS, chunk.len(), 13, |i| {
                    if (i - 1) % 13 == 6 {
                        format!("${i}::jsonb")
                    } else {
                        format!("${i}")
                    }
                });
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for r in chunk {
                    q = q
                        .bind(r.event_id)
                        .bind("case")
                        .bind(r.stream_id)
                        .bind(r.version)
                        .bind("DialogueLogged")
                        .bind(1i32)
                        .bind(r.payload.as_str())
                        .bind(None::<Uuid>)
                        .bind(None::<Uuid>)
                        .bind(r.command_id)
                        .bind(r.command_id)
                        .bind(None::<Uuid>)
                        .bind(now);
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        anyhow::Ok(())
    });
    futures_util::future::try_join_all(work).await?;
    let elapsed = started.elapsed().as_secs_f64();
    pool.close().await;
    Ok(elapsed)
}

/// Split rows into chunks of 32, 8 and 1 rows (greedily): three statement shapes in all.
fn fixed_chunks<T>(mut rows: &[T]) -> Vec<&[T]> {
    let mut out = Vec::new();
    for size in [32, 8, 1] {
        while rows.len() >= size {
            let (chunk, rest) = rows.split_at(size);
            out.push(chunk);
            rows = rest;
        }
    }
    out
}

/// `INSERT INTO raw_events (columns) VALUES (...), (...)` for `rows` rows of `width` parameters.
fn values_sql(columns: &str, rows: usize, width: usize, param: impl Fn(usize) -> String) -> String {
    let mut sql = format!("INSERT INTO raw_events ({columns}) VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&param(r * width + c + 1));
        }
        sql.push(')');
    }
    sql
}

const READ_SQL: &str = "SELECT position, stream_type, stream_id, version, event_id, \
     event_type, schema_version, payload, actor, agency, command_id, correlation_id, \
     causation_id, recorded_at FROM banso_events ORDER BY position";

async fn raw_read_sqlite(pool: &sqlx::SqlitePool) -> Result<u64> {
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query(READ_SQL).fetch(pool);
    let mut n = 0u64;
    while let Some(row) = rows.try_next().await? {
        let decoded: (i64, String, Uuid, i64, Uuid, String, i64, String) = (
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
            row.try_get(4)?,
            row.try_get(5)?,
            row.try_get(6)?,
            row.try_get(7)?,
        );
        let meta: (Option<Uuid>, Option<Uuid>, Uuid, Uuid, Option<Uuid>, i64) = (
            row.try_get(8)?,
            row.try_get(9)?,
            row.try_get(10)?,
            row.try_get(11)?,
            row.try_get(12)?,
            row.try_get(13)?,
        );
        std::hint::black_box((decoded, meta));
        n += 1;
    }
    Ok(n)
}

async fn raw_read_postgres(pool: &sqlx::PgPool) -> Result<u64> {
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query(READ_SQL).fetch(pool);
    let mut n = 0u64;
    while let Some(row) = rows.try_next().await? {
        let payload = row.try_get_raw(7)?;
        let payload = String::from_utf8(
            payload
                .as_bytes()
                .map_err(|e| anyhow::anyhow!("payload: {e}"))?
                .get(1..)
                .unwrap_or_default()
                .to_vec(),
        )?;
        let decoded: (i64, String, Uuid, i64, Uuid, String, i32) = (
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
            row.try_get(4)?,
            row.try_get(5)?,
            row.try_get(6)?,
        );
        let meta: (
            Option<Uuid>,
            Option<Uuid>,
            Uuid,
            Uuid,
            Option<Uuid>,
            time::OffsetDateTime,
        ) = (
            row.try_get(8)?,
            row.try_get(9)?,
            row.try_get(10)?,
            row.try_get(11)?,
            row.try_get(12)?,
            row.try_get(13)?,
        );
        std::hint::black_box((decoded, payload, meta));
        n += 1;
    }
    Ok(n)
}

fn micros_now() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000) as i64
}

/// Drop and recreate the database named in `url`, through the `postgres` database.
async fn recreate_database(url: &str) -> Result<()> {
    let options = PgConnectOptions::from_str(url).context("parsing the PostgreSQL URL")?;
    let db = options
        .get_database()
        .context("the PostgreSQL URL names no database")?
        .to_owned();
    if ["postgres", "test", "root"].contains(&db.as_str()) || db.starts_with("template") {
        bail!("refusing to drop the database {db:?}: name a database for the benchmark");
    }
    if !db.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("database name {db:?} must be ASCII letters, digits and '_'");
    }
    let mut admin = sqlx::PgConnection::connect_with(&options.database("postgres")).await?;
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
