//! The PostgreSQL backend: for several stateless Banso servers on one database.
//!
//! An append is one call of the server-side function `banso_append` (one round trip, one
//! transaction; see `migrations/postgres/0001_event_store.sql`); concurrent appends commit in
//! parallel and share PostgreSQL's WAL flushes. Reads of the global order stop at the read
//! horizon (`horizon.rs`), so that an event is never delivered before an earlier one that is
//! still being committed. Appends wake readers in this process at once and readers in other
//! processes through NOTIFY; readers also poll, because a notification is a hint, never the
//! source of truth.

mod horizon;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions, PgRow, PgValueFormat};

use sqlx::{AssertSqlSafe, PgConnection, PgPool, Row};
use time::OffsetDateTime;
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

use crate::append::{self, Limits, StoredResult, Verdict};
use crate::error::StoreError;
use crate::migrate;
use crate::model::{
    AppendOutcome, AppendRequest, Metadata, Position, RecordedEvent, Snapshot, StreamId,
    StreamType, StreamVersion, snapshots_sql, sql_int, sql_limit, streams_after_sql,
};
use crate::queue::{self, Job, Queue};
use crate::snapshots::{self, Pending, replace_older};
use horizon::Horizon;

/// The channel on which appends announce new positions to other processes.
const CHANNEL: &str = "banso_events";

/// How long a read waits for in-flight appends before it returns what is already safe.
const READ_PATIENCE: Duration = Duration::from_millis(100);

/// How often an append is retried after losing a race for a stream version or a command id.
const MAX_ATTEMPTS: u32 = 8;

/// Settings of the PostgreSQL backend.
#[derive(Clone, Debug)]
pub struct PostgresConfig {
    /// Connections in the pool of this process.
    pub max_connections: u32,
    /// Listen for other processes' appends (one extra connection).
    pub listen: bool,
    /// Writer tasks, each committing one batch of appends at a time on its own connection.
    pub writers: usize,
    /// The most appends in one batch.
    pub max_batch: usize,
    /// How long to wait for a connection before failing (an unreachable server, a full pool).
    pub connect_timeout: Duration,
}

impl Default for PostgresConfig {
    fn default() -> Self {
        Self {
            max_connections: 16,
            listen: true,
            // Measured best on a 2-core server (bench/run store): two transactions in flight,
            // each with up to 64 appends.
            writers: 2,
            max_batch: 64,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// The PostgreSQL event store. Cheap to clone.
#[derive(Clone)]
pub struct PostgresStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    limits: Limits,
    horizon: Horizon,
    signals: Arc<Signals>,
    queue: Queue,
    /// Held by `close` while the writers finish, so that every caller of `close` waits.
    writer_tasks: tokio::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Snapshots saved and not yet written (a task of their own writes them), and a lock each
    /// write holds, so that `close` can wait for them.
    snapshots: Arc<Pending>,
    snapshot_writes: Arc<tokio::sync::Mutex<()>>,
}

struct Signals {
    /// Positions appended by this process (the notifier announces them to other processes).
    appended: watch::Sender<Position>,
    /// What readers wait on: local appends and other processes' notifications.
    wake: watch::Sender<Position>,
    /// Signalled by `close`: the notifier and listener tasks end.
    shutdown: watch::Sender<()>,
}

impl Signals {
    fn announce_local(&self, last: Position) {
        queue::raise(&self.appended, last);
        queue::raise(&self.wake, last);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.signals.shutdown.send_replace(());
    }
}

macro_rules! select_event {
    () => {
        "SELECT position, stream_type, stream_id, version, event_id, event_type, \
         schema_version, payload, actor, agency, command_id, correlation_id, causation_id, \
         recorded_at FROM banso_events"
    };
}

impl PostgresStore {
    /// Connect to `url` (`postgres://...`) and migrate the schema.
    pub async fn connect(
        url: &str,
        config: &PostgresConfig,
        limits: Limits,
    ) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections.max(2))
            .acquire_timeout(config.connect_timeout)
            .connect_with(options)
            .await?;
        {
            let mut conn = pool.acquire().await?;
            migrate::postgres(&mut conn).await?;
        }
        let signals = Arc::new(Signals {
            appended: watch::channel(Position::START).0,
            wake: watch::channel(Position::START).0,
            shutdown: watch::channel(()).0,
        });
        tokio::spawn(announce(
            pool.clone(),
            signals.appended.subscribe(),
            signals.shutdown.subscribe(),
        ));
        if config.listen {
            // Its own connection, outside the pool: a pool waits on close for every connection
            // it lent, and a listener never gives its connection back.
            let listener = PgListener::connect(url).await?;
            // Subscribed before the task starts: a store dropped at once still stops it.
            tokio::spawn(listen(
                listener,
                signals.clone(),
                signals.shutdown.subscribe(),
            ));
        }
        let max_batch = config.max_batch.max(1);
        let (queue, jobs) = Queue::new(max_batch * config.writers.max(1) * 2);
        let jobs = Arc::new(tokio::sync::Mutex::new(jobs));
        let writer_tasks = (0..config.writers.max(1))
            .map(|_| {
                tokio::spawn(run_writer(
                    pool.clone(),
                    jobs.clone(),
                    signals.clone(),
                    max_batch,
                ))
            })
            .collect();
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                limits,
                horizon: Horizon::default(),
                signals,
                queue,
                writer_tasks: tokio::sync::Mutex::new(writer_tasks),
                snapshots: Arc::default(),
                snapshot_writes: Arc::default(),
            }),
        })
    }

    /// Append through the writers: concurrent appends share one transaction.
    pub async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, StoreError> {
        self.inner.queue.submit(request, &self.inner.limits).await
    }

    /// Append inside the caller's transaction (for a command handler that writes other tables
    /// atomically with its events). Events become readable when the caller commits. Open the
    /// transaction with `pool().begin()` (sqlx rolls it back if dropped), never with a plain
    /// `BEGIN` on a pooled connection: a connection returned mid-transaction would swallow
    /// later appends and hold back every reader. Losing a
    /// race to another writer aborts the caller's transaction: it fails with `WriteFailed` and
    /// the whole transaction must be retried.
    pub async fn append_in_transaction(
        &self,
        conn: &mut PgConnection,
        request: AppendRequest,
    ) -> Result<AppendOutcome, StoreError> {
        append::validate(&request, &self.inner.limits)?;
        let fingerprint = append::fingerprint(&request);
        let outcome = match call_append(conn, &request, &fingerprint).await {
            Ok(outcome) => outcome,
            Err(Attempt::Failed(e)) => return Err(e),
            Err(Attempt::LostRace(e)) => {
                return Err(StoreError::WriteFailed {
                    reason: format!("a concurrent append won the race: {e}"),
                });
            }
            Err(Attempt::EventIdTaken) => {
                return Err(StoreError::DuplicateEventId {
                    event_id: request
                        .events()
                        .next()
                        .map(|e| e.2.event_id)
                        .unwrap_or_default(),
                });
            }
        };
        if !outcome.duplicate {
            self.inner.signals.announce_local(outcome.last_position());
        }
        Ok(outcome)
    }

    pub async fn read_stream(
        &self,
        stream: &StreamId,
        from: StreamVersion,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        // A stream's versions are gapless and a version is only taken by a committed append, so
        // reading a stream needs no horizon.
        const SQL: &str = concat!(
            select_event!(),
            " WHERE stream_type = $1 AND stream_id = $2 AND version >= $3 ORDER BY version LIMIT $4"
        );
        let rows = sqlx::query(SQL)
            .bind(stream.stream_type.as_str())
            .bind(stream.id)
            .bind(sql_int(from.0))
            .bind(sql_limit(limit))
            .fetch_all(&self.inner.pool)
            .await?;
        rows.iter().map(decode_row).collect()
    }

    /// See [`crate::EventStore::read_streams_after`] (at most `STREAMS_PER_READ` streams).
    pub async fn read_streams_after(
        &self,
        streams: &[(StreamId, StreamVersion)],
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        if streams.is_empty() {
            return Ok(Vec::new());
        }
        let sql = streams_after_sql(select_event!(), streams.len(), |n| format!("${n}"));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (stream, after) in streams {
            query = query
                .bind(stream.stream_type.as_str())
                .bind(stream.id)
                .bind(sql_int(after.0));
        }
        let rows = query.fetch_all(&self.inner.pool).await?;
        rows.iter().map(decode_row).collect()
    }

    /// See [`crate::EventStore::read_snapshots`], which calls this with 1 to
    /// `STREAMS_PER_READ` streams.
    pub async fn read_snapshots(
        &self,
        streams: &[StreamId],
        shape: &str,
    ) -> Result<Vec<Snapshot>, StoreError> {
        let sql = snapshots_sql(streams.len(), |n| format!("${n}"));
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(shape);
        for stream in streams {
            query = query.bind(stream.stream_type.as_str()).bind(stream.id);
        }
        let rows = query.fetch_all(&self.inner.pool).await?;
        Ok(rows
            .iter()
            .map(snapshots::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// See [`crate::EventStore::save_snapshots`]: a task writes them, without waiting for the
    /// disk (`synchronous_commit = off`: a crash may lose the newest, which are only a cache).
    pub fn save_snapshots(&self, snapshots: Vec<Snapshot>) {
        if snapshots.is_empty() || !self.inner.snapshots.push(snapshots) {
            return;
        }
        let (pool, pending, lock) = (
            self.inner.pool.clone(),
            self.inner.snapshots.clone(),
            self.inner.snapshot_writes.clone(),
        );
        tokio::spawn(async move { write_pending(&pool, &pending, &lock).await });
    }

    /// See [`crate::EventStore::flush_snapshots`]: writes what waits, after any write under way.
    pub async fn flush_snapshots(&self) {
        let inner = &self.inner;
        write_pending(&inner.pool, &inner.snapshots, &inner.snapshot_writes).await;
    }

    /// The command's row and its events commit together: no horizon is needed.
    pub async fn command_events(
        &self,
        command_id: Uuid,
    ) -> Result<Option<Vec<RecordedEvent>>, StoreError> {
        const SQL: &str = concat!(
            select_event!(),
            " WHERE position IN (SELECT (jsonb_array_elements_text(c.result -> 'p'))::bigint \
               FROM banso_commands c WHERE c.command_id = $1) ORDER BY position"
        );
        let rows = sqlx::query(SQL)
            .bind(command_id)
            .fetch_all(&self.inner.pool)
            .await?;
        let events = rows.iter().map(decode_row).collect::<Result<Vec<_>, _>>()?;
        Ok((!events.is_empty()).then_some(events))
    }

    pub async fn stream_version(&self, stream: &StreamId) -> Result<StreamVersion, StoreError> {
        let v: i64 = sqlx::query_scalar(
            "SELECT coalesce(max(version), 0) FROM banso_events \
             WHERE stream_type = $1 AND stream_id = $2",
        )
        .bind(stream.stream_type.as_str())
        .bind(stream.id)
        .fetch_one(&self.inner.pool)
        .await?;
        Ok(StreamVersion(v as u64))
    }

    /// Events after `after`, in global order, never past the read horizon.
    pub async fn read_all(
        &self,
        after: Position,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        // No upper bound in the WHERE clause: with a range on both sides and stale statistics
        // (a freshly loaded table) the planner picks a bitmap scan and sorts the whole range.
        // At most `horizon - after` rows lie in (after, horizon], so that LIMIT never reads past
        // the horizon except over gaps; the filter below drops what it does read there.
        const SQL: &str = concat!(
            select_event!(),
            " WHERE position > $1 ORDER BY position LIMIT $2"
        );
        let read_up_to = |horizon: Position| async move {
            let span = (horizon.0 - after.0).min(limit as u64);
            let rows = sqlx::query(SQL)
                .bind(sql_int(after.0))
                .bind(sql_int(span))
                .fetch_all(&self.inner.pool)
                .await?;
            let mut events = rows.iter().map(decode_row).collect::<Result<Vec<_>, _>>()?;
            events.retain(|e| e.position <= horizon);
            Ok::<_, StoreError>(events)
        };
        let known = self.inner.horizon.known();
        if known > after {
            let events = read_up_to(known).await?;
            if !events.is_empty() {
                return Ok(events);
            }
        }
        // Nothing readable up to the known horizon: the reader has caught up, or everything
        // there is a gap (an aborted append) that the cursor cannot move past on its own.
        // Advance the horizon once and read what it uncovered.
        let advanced = self
            .inner
            .horizon
            .advance(&self.inner.pool, READ_PATIENCE)
            .await?;
        if advanced > known.max(after) {
            return read_up_to(advanced).await;
        }
        Ok(Vec::new())
    }

    /// The read horizon, advanced to cover everything committed so far.
    pub async fn head(&self) -> Result<Position, StoreError> {
        self.inner
            .horizon
            .advance(&self.inner.pool, READ_PATIENCE)
            .await
    }

    /// Changes when this process appends or another process announces an append.
    pub fn watch_head(&self) -> watch::Receiver<Position> {
        self.inner.signals.wake.subscribe()
    }

    /// Finish the appends already queued, stop the writers and release the connections.
    pub async fn close(&self) {
        self.inner.queue.close();
        let mut tasks = self.inner.writer_tasks.lock().await;
        for task in tasks.iter_mut() {
            let _ = task.await;
        }
        tasks.clear();
        let inner = &self.inner;
        write_pending(&inner.pool, &inner.snapshots, &inner.snapshot_writes).await;
        self.inner.signals.shutdown.send_replace(());
        self.inner.pool.close().await;
    }

    /// The connection pool, for tests and tools that inspect the tables directly.
    pub fn pool(&self) -> &PgPool {
        &self.inner.pool
    }
}

/// One append alone in its own transaction, retried when it loses a race to another writer.
async fn append_one(
    conn: &mut PgConnection,
    request: &AppendRequest,
    fingerprint: &[u8; 16],
) -> Result<AppendOutcome, StoreError> {
    let mut attempt = 0;
    let outcome = loop {
        attempt += 1;
        match call_append(conn, request, fingerprint).await {
            Err(Attempt::LostRace(_)) if attempt < MAX_ATTEMPTS => {
                // Another append took the version (or the command id) first; the next
                // attempt sees it committed and decides properly. A short, growing, jittered
                // pause keeps racing writers from colliding again.
                let jitter = u64::from(Uuid::now_v7().as_bytes()[15] % 8);
                tokio::time::sleep(Duration::from_millis((1 << attempt.min(5)) + jitter)).await;
                continue;
            }
            Err(Attempt::LostRace(e)) => {
                return Err(StoreError::WriteFailed {
                    reason: format!(
                        "lost the race to concurrent appends {MAX_ATTEMPTS} times: {e}"
                    ),
                });
            }
            Err(Attempt::EventIdTaken) => {
                match retry_by_event_ids(conn, request, fingerprint).await? {
                    Some(outcome) => break outcome,
                    // The clashing append was rolled back meanwhile: try again.
                    None if attempt < MAX_ATTEMPTS => continue,
                    None => {
                        return Err(StoreError::WriteFailed {
                            reason: "an event id kept clashing with concurrent appends".into(),
                        });
                    }
                }
            }
            Err(Attempt::Failed(e @ StoreError::Concurrency { .. })) => {
                // A retry of an append that succeeded always fails its version check:
                // recognise it by its event ids before calling it a conflict.
                match retry_by_event_ids(conn, request, fingerprint).await? {
                    Some(outcome) => break outcome,
                    None => return Err(e),
                }
            }
            Err(Attempt::Failed(e)) => return Err(e),
            Ok(outcome) => break outcome,
        }
    };
    Ok(outcome)
}

/// Write the pending snapshots until none is left.
async fn write_pending(pool: &PgPool, pending: &Pending, lock: &tokio::sync::Mutex<()>) {
    loop {
        let _writing = lock.lock().await;
        let snapshots = pending.take();
        if snapshots.is_empty() {
            return;
        }
        if let Err(e) = write_snapshots(pool, &snapshots).await {
            tracing::warn!(error = %e, "writing snapshots failed");
        }
        pending.written();
    }
}

/// Upsert `snapshots` (see [`replace_older`]), all in one statement.
async fn write_snapshots(pool: &PgPool, snapshots: &[Snapshot]) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await?;
    sqlx::query(concat!(
        "INSERT INTO banso_snapshots (stream_type, stream_id, version, shape, state) \
         SELECT * FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::text[], $5::text[])",
        replace_older!()
    ))
    .bind(
        snapshots
            .iter()
            .map(|s| s.stream.stream_type.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(snapshots.iter().map(|s| s.stream.id).collect::<Vec<_>>())
    .bind(
        snapshots
            .iter()
            .map(|s| sql_int(s.version.0))
            .collect::<Vec<_>>(),
    )
    .bind(
        snapshots
            .iter()
            .map(|s| s.shape.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        snapshots
            .iter()
            .map(|s| s.state.as_str())
            .collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// A writer: takes every append waiting (up to `max_batch`) and commits them together.
async fn run_writer(
    pool: PgPool,
    jobs: Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>,
    signals: Arc<Signals>,
    max_batch: usize,
) {
    let mut batch = Vec::with_capacity(max_batch);
    loop {
        let received = jobs.lock().await.recv_many(&mut batch, max_batch).await;
        if received == 0 {
            break;
        }
        let results = match pool.acquire().await {
            Ok(mut conn) => commit_batch(&mut conn, &batch).await,
            Err(e) => batch
                .iter()
                .map(|_| {
                    Err(StoreError::WriteFailed {
                        reason: format!("no database connection: {e}"),
                    })
                })
                .collect(),
        };
        if let Some(last) = queue::answer(&mut batch, results) {
            signals.announce_local(last);
        }
    }
}

/// Commit a batch: one transaction for all of it (`call_batch`), then each append that failed
/// there (a conflict, a lost race, a repeated id) once more alone, where it gets its retries
/// and its precise error. A second append of the same command id in the batch waits for the
/// first and is then answered as a retry.
async fn commit_batch(
    conn: &mut PgConnection,
    batch: &[Job],
) -> Vec<Result<AppendOutcome, StoreError>> {
    let mut first_of_command = std::collections::HashMap::with_capacity(batch.len());
    let leaders: Vec<usize> = (0..batch.len())
        .filter(|&i| {
            first_of_command
                .insert(batch[i].request.command_id(), i)
                .is_none()
        })
        .collect();
    let mut results: Vec<Option<Result<AppendOutcome, StoreError>>> =
        (0..batch.len()).map(|_| None).collect();
    if leaders.len() > 1 {
        match call_batch(conn, batch, &leaders).await {
            Ok(answers) => {
                for (&i, answer) in leaders.iter().zip(answers) {
                    results[i] = answer;
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "batch append failed; appending one by one");
            }
        }
    }
    for (i, job) in batch.iter().enumerate() {
        if results[i].is_none() {
            results[i] = Some(append_one(conn, &job.request, &job.fingerprint).await);
        }
    }
    results
        .into_iter()
        .map(|r| r.expect("every append has an answer"))
        .collect()
}

/// Commit the appends at `indices` of `batch` together, in two round trips: one statement looks
/// up their command ids and stream versions; the appends are decided in memory, in order
/// (`append::decide_group`); one call of `banso_append_decided` writes the accepted ones in one
/// transaction and returns their positions. An append refused here (a conflict) gets `None`
/// and is retried alone afterwards, where a retry by event id is recognised and a conflict
/// reported. Should another writer append between the lookup and the write, the write fails on
/// a unique index and the caller appends the batch one by one.
async fn call_batch(
    conn: &mut PgConnection,
    batch: &[Job],
    indices: &[usize],
) -> Result<Vec<Option<Result<AppendOutcome, StoreError>>>, sqlx::Error> {
    use std::collections::HashMap;

    let jobs: Vec<&Job> = indices.iter().map(|&i| &batch[i]).collect();
    let mut streams: Vec<&StreamId> = Vec::new();
    let mut seen: HashMap<&StreamId, ()> = HashMap::new();
    for job in &jobs {
        for s in &job.request.streams {
            if seen.insert(&s.stream, ()).is_none() {
                streams.push(&s.stream);
            }
        }
    }
    let rows = sqlx::query(
        "SELECT 1 AS kind, s.k AS k, \
                (SELECT coalesce(max(e.version), 0) FROM banso_events e \
                  WHERE e.stream_type = s.t AND e.stream_id = s.i) AS v, \
                NULL::uuid AS command_id, NULL::bytea AS fingerprint, NULL::text AS result \
           FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS s(t, i, k) \
         UNION ALL \
         SELECT 2, NULL, NULL, c.command_id, c.fingerprint, c.result::text \
           FROM banso_commands c WHERE c.command_id = ANY($3)",
    )
    .bind(
        streams
            .iter()
            .map(|s| s.stream_type.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(streams.iter().map(|s| s.id).collect::<Vec<_>>())
    .bind(
        jobs.iter()
            .map(|j| j.request.command_id())
            .collect::<Vec<_>>(),
    )
    .fetch_all(&mut *conn)
    .await?;

    let mut versions: HashMap<&StreamId, u64> = HashMap::with_capacity(streams.len());
    let mut stored: HashMap<Uuid, (Vec<u8>, String)> = HashMap::new();
    for row in &rows {
        if row.try_get::<i32, _>("kind")? == 1 {
            let k: i64 = row.try_get("k")?;
            if let Some(stream) = streams.get((k - 1) as usize) {
                versions.insert(stream, row.try_get::<i64, _>("v")? as u64);
            }
        } else {
            stored.insert(
                row.try_get("command_id")?,
                (row.try_get("fingerprint")?, row.try_get("result")?),
            );
        }
    }

    let verdicts = append::decide_group(
        jobs.iter().map(|j| (&j.request, &j.fingerprint)),
        &stored,
        &mut versions,
    );
    let mut answers: Vec<Option<Result<AppendOutcome, StoreError>>> =
        Vec::with_capacity(jobs.len());
    let mut rows = EventRows::default();
    let mut accepted = Vec::new();
    for (i, (job, verdict)) in jobs.iter().zip(verdicts).enumerate() {
        answers.push(match verdict {
            Verdict::Accept { bases } => {
                rows.push(&job.request, &job.fingerprint, &bases);
                accepted.push((i, bases));
                None
            }
            Verdict::Answer(answer) => Some(answer),
            Verdict::SameAs(_) | Verdict::Conflict(_) => None,
        });
    }
    if accepted.is_empty() {
        return Ok(answers);
    }
    let positions = rows.insert(conn, OffsetDateTime::now_utc()).await?;
    let mut positions = positions.into_iter().map(|p| p as u64);
    for (i, bases) in accepted {
        let request = &jobs[i].request;
        let result = StoredResult {
            positions: positions.by_ref().take(request.event_count()).collect(),
            base_versions: bases,
        };
        answers[i] = Some(Ok(result.outcome(request, false)));
    }
    Ok(answers)
}

/// The rows of the accepted appends of a batch, as the parallel arrays that
/// `banso_append_decided` takes.
#[derive(Default)]
struct EventRows<'a> {
    event_ids: Vec<Uuid>,
    stream_types: Vec<&'a str>,
    stream_ids: Vec<Uuid>,
    versions: Vec<i64>,
    event_types: Vec<&'a str>,
    schema_versions: Vec<i32>,
    payloads: Vec<&'a str>,
    actors: Vec<Option<Uuid>>,
    agencies: Vec<Option<Uuid>>,
    event_command_ids: Vec<Uuid>,
    correlation_ids: Vec<Uuid>,
    causation_ids: Vec<Option<Uuid>>,
    command_ids: Vec<Uuid>,
    fingerprints: Vec<Vec<u8>>,
    event_from: Vec<i32>,
    event_to: Vec<i32>,
    bases: Vec<String>,
}

impl<'a> EventRows<'a> {
    fn push(&mut self, request: &'a AppendRequest, fingerprint: &[u8; 16], bases: &[u64]) {
        let m = &request.metadata;
        self.event_from.push(self.event_ids.len() as i32 + 1);
        let mut in_stream = vec![0u64; request.streams.len()];
        for (stream_index, s, e) in request.events() {
            in_stream[stream_index] += 1;
            self.event_ids.push(e.event_id);
            self.stream_types.push(s.stream.stream_type.as_str());
            self.stream_ids.push(s.stream.id);
            self.versions
                .push((bases[stream_index] + in_stream[stream_index]) as i64);
            self.event_types.push(e.event_type.as_str());
            self.schema_versions.push(e.schema_version as i32);
            self.payloads.push(e.payload.get());
            self.actors.push(m.actor);
            self.agencies.push(m.agency);
            self.event_command_ids.push(m.command_id);
            self.correlation_ids.push(m.correlation_id);
            self.causation_ids.push(m.causation_id);
        }
        self.event_to.push(self.event_ids.len() as i32);
        self.command_ids.push(m.command_id);
        self.fingerprints.push(fingerprint.to_vec());
        self.bases
            .push(serde_json::to_string(bases).expect("a vector of integers always serializes"));
    }

    /// Write the rows in one transaction; the positions of the events, in order.
    async fn insert(
        self,
        conn: &mut PgConnection,
        recorded_at: OffsetDateTime,
    ) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT banso_append_decided($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, $15, $16, $17, $18)",
        )
        .bind(recorded_at)
        .bind(self.event_ids)
        .bind(self.stream_types)
        .bind(self.stream_ids)
        .bind(self.versions)
        .bind(self.event_types)
        .bind(self.schema_versions)
        .bind(self.payloads)
        .bind(self.actors)
        .bind(self.agencies)
        .bind(self.event_command_ids)
        .bind(self.correlation_ids)
        .bind(self.causation_ids)
        .bind(self.command_ids)
        .bind(self.fingerprints)
        .bind(self.event_from)
        .bind(self.event_to)
        .bind(self.bases)
        .fetch_one(&mut *conn)
        .await
    }
}

enum Attempt {
    /// A unique violation on a stream version or the command id: retry.
    LostRace(sqlx::Error),
    /// A unique violation on an event id: maybe a retry under another command id.
    EventIdTaken,
    Failed(StoreError),
}

async fn call_append(
    conn: &mut PgConnection,
    request: &AppendRequest,
    fingerprint: &[u8; 16],
) -> Result<AppendOutcome, Attempt> {
    let n = request.event_count();
    let mut event_stream = Vec::with_capacity(n);
    let mut event_offset = Vec::with_capacity(n);
    let mut event_ids = Vec::with_capacity(n);
    let mut event_types = Vec::with_capacity(n);
    let mut schema_versions = Vec::with_capacity(n);
    let mut payloads = Vec::with_capacity(n);
    for (i, s) in request.streams.iter().enumerate() {
        for (k, e) in s.events.iter().enumerate() {
            event_stream.push(i as i32 + 1);
            event_offset.push(k as i32 + 1);
            event_ids.push(e.event_id);
            event_types.push(e.event_type.as_str());
            schema_versions.push(e.schema_version as i32);
            payloads.push(e.payload.get());
        }
    }
    let m = &request.metadata;
    let result = sqlx::query(
        "SELECT duplicate, fingerprint, result::text AS result FROM banso_append(\
         $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(m.command_id)
    .bind(&fingerprint[..])
    .bind(m.actor)
    .bind(m.agency)
    .bind(m.correlation_id)
    .bind(m.causation_id)
    .bind(OffsetDateTime::now_utc())
    .bind(
        request
            .streams
            .iter()
            .map(|s| s.stream.stream_type.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        request
            .streams
            .iter()
            .map(|s| s.stream.id)
            .collect::<Vec<_>>(),
    )
    .bind(
        request
            .streams
            .iter()
            .map(|s| s.expected.code())
            .collect::<Vec<_>>(),
    )
    .bind(event_stream)
    .bind(event_offset)
    .bind(event_ids)
    .bind(event_types)
    .bind(schema_versions)
    .bind(payloads)
    .fetch_one(&mut *conn)
    .await;
    let row = match result {
        Ok(row) => row,
        Err(e) => return Err(classify(e, request)),
    };
    let duplicate: bool = row.try_get("duplicate").map_err(failed)?;
    let stored_fingerprint: Vec<u8> = row.try_get("fingerprint").map_err(failed)?;
    let result: String = row.try_get("result").map_err(failed)?;
    if duplicate {
        append::replay_stored(request, fingerprint, &stored_fingerprint, &result)
            .map_err(Attempt::Failed)
    } else {
        Ok(StoredResult::parse(&result)
            .map_err(Attempt::Failed)?
            .outcome(request, false))
    }
}

fn failed(e: sqlx::Error) -> Attempt {
    Attempt::Failed(e.into())
}

fn classify(error: sqlx::Error, request: &AppendRequest) -> Attempt {
    let sqlx::Error::Database(db) = &error else {
        return failed(error);
    };
    if db.code().as_deref() == Some("BN409") {
        let pg = db.downcast_ref::<sqlx::postgres::PgDatabaseError>();
        let parsed = pg.detail().and_then(|d| {
            let (index, actual) = d.split_once(':')?;
            Some((index.parse::<usize>().ok()?, actual.parse::<u64>().ok()?))
        });
        return match parsed {
            Some((index, actual)) if index >= 1 && index <= request.streams.len() => {
                let s = &request.streams[index - 1];
                Attempt::Failed(StoreError::Concurrency {
                    stream: s.stream.clone(),
                    expected: s.expected,
                    actual: StreamVersion(actual),
                })
            }
            _ => failed(error),
        };
    }
    // A deadlock or serialization failure aborted this attempt alone: try again.
    if matches!(db.code().as_deref(), Some("40P01") | Some("40001")) {
        return Attempt::LostRace(error);
    }
    if db.is_unique_violation() {
        return match db.constraint() {
            Some("banso_events_event_id_key") => Attempt::EventIdTaken,
            Some("banso_events_stream_version_key") | Some("banso_commands_pkey") => {
                Attempt::LostRace(error)
            }
            _ => failed(error),
        };
    }
    failed(error)
}

/// See `sqlite::retry_by_event_ids`.
async fn retry_by_event_ids(
    conn: &mut PgConnection,
    request: &AppendRequest,
    fingerprint: &[u8; 16],
) -> Result<Option<AppendOutcome>, StoreError> {
    let ids: Vec<Uuid> = request.events().map(|(_, _, e)| e.event_id).collect();
    let found: Vec<(Uuid, Uuid)> =
        sqlx::query_as("SELECT event_id, command_id FROM banso_events WHERE event_id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *conn)
            .await?;
    let Some(command) = append::earlier_append_of(&ids, &found)? else {
        return Ok(None);
    };
    let stored: Option<(Vec<u8>, String)> = sqlx::query_as(
        "SELECT fingerprint, result::text FROM banso_commands WHERE command_id = $1",
    )
    .bind(command)
    .fetch_optional(&mut *conn)
    .await?;
    append::replay_by_event_ids(request, fingerprint, command, &ids, stored).map(Some)
}

fn decode_row(row: &PgRow) -> Result<RecordedEvent, StoreError> {
    let position: i64 = row.try_get("position")?;
    let position = Position(position as u64);
    let corrupt = |reason: String| StoreError::CorruptRow { position, reason };
    let schema_version: i32 = row.try_get("schema_version")?;
    let raw = row.try_get_raw("payload")?;
    let bytes = raw
        .as_bytes()
        .map_err(|e| corrupt(format!("payload: {e}")))?;
    // jsonb in binary format is a version byte (1) followed by the JSON text.
    let text = match raw.format() {
        PgValueFormat::Binary => bytes.get(1..).unwrap_or_default(),
        PgValueFormat::Text => bytes,
    };
    let payload = String::from_utf8(text.to_vec())
        .map_err(|e| corrupt(format!("payload is not UTF-8: {e}")))?;
    Ok(RecordedEvent {
        position,
        stream: StreamId {
            stream_type: StreamType::trusted(row.try_get("stream_type")?),
            id: row.try_get("stream_id")?,
        },
        version: StreamVersion(row.try_get::<i64, _>("version")? as u64),
        event_id: row.try_get("event_id")?,
        event_type: row.try_get("event_type")?,
        schema_version: u32::try_from(schema_version)
            .map_err(|_| corrupt(format!("schema version {schema_version}")))?,
        payload,
        metadata: Metadata {
            actor: row.try_get("actor")?,
            agency: row.try_get("agency")?,
            command_id: row.try_get("command_id")?,
            correlation_id: row.try_get("correlation_id")?,
            causation_id: row.try_get("causation_id")?,
        },
        recorded_at: row.try_get("recorded_at")?,
    })
}

/// Tell other processes about this process's appends, at most one NOTIFY in flight at a time
/// (a burst of appends becomes one notification). NOTIFY is sent outside the appends'
/// transactions: inside them it would serialize their commits.
async fn announce(
    pool: PgPool,
    mut appended: watch::Receiver<Position>,
    mut shutdown: watch::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            changed = appended.changed() => if changed.is_err() { break },
        }
        let position = *appended.borrow_and_update();
        let sent = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(position.0.to_string())
            .execute(&pool)
            .await;
        if let Err(e) = sent {
            tracing::debug!(error = %e, "could not announce appended events; readers will poll");
        }
    }
}

/// Wake this process's readers when another process announces an append.
async fn listen(
    mut listener: PgListener,
    signals: Arc<Signals>,
    mut shutdown: watch::Receiver<()>,
) {
    if let Err(e) = listener.listen(CHANNEL).await {
        tracing::warn!(error = %e, "cannot LISTEN for appends of other processes; readers will poll");
        return;
    }
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            note = listener.recv() => match note {
                Ok(note) => {
                    if let Ok(p) = note.payload().parse::<u64>() {
                        queue::raise(&signals.wake, Position(p));
                    }
                }
                Err(e) => {
                    tracing::debug!(error = %e, "listener connection lost; reconnecting");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }
}
