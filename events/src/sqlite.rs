//! The embedded backend: one SQLite file in WAL mode.
//!
//! A single writer task owns the only write connection. Appends queue to it; it takes every
//! request waiting (up to `max_group`), opens one `BEGIN IMMEDIATE` transaction for all of them
//! (group commit: one fsync for the group), and runs each request inside its own savepoint, so
//! that a request that conflicts or fails is rolled back alone while its neighbours commit.
//! Because one writer assigns positions inside the write lock, positions are gapless and in
//! commit order, and any reader sees a gapless prefix. Reads go to a separate pool of
//! `query_only` connections.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Connection, Row, SqliteConnection, SqlitePool};
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

/// How hard SQLite works to keep an acknowledged append through a power cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: the WAL is fsynced at every commit. An acknowledged append survives
    /// power loss. The default.
    Full,
    /// `synchronous=NORMAL`: an acknowledged append survives a crash of the process but the last
    /// commits may be lost on power loss.
    Normal,
}

/// Settings of the SQLite backend.
#[derive(Clone, Debug)]
pub struct SqliteConfig {
    pub durability: Durability,
    /// Connections in the read pool.
    pub read_connections: u32,
    /// The most appends committed in one transaction.
    pub max_group: usize,
    /// How long a writer waits for another process's write lock before failing.
    pub busy_timeout: Duration,
}

impl Default for SqliteConfig {
    fn default() -> Self {
        Self {
            durability: Durability::Full,
            read_connections: 4,
            max_group: 256,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// The SQLite event store. Cheap to clone.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    reads: SqlitePool,
    queue: Queue,
    /// Held by `close` while the writer finishes, so that every caller of `close` waits.
    writer_task: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// The highest committed position, published by the writer after each commit.
    head: watch::Sender<Position>,
    limits: Limits,
    /// Snapshots the writer has still to write, and how to wake it for them.
    snapshots: Arc<Pending>,
    wake_writer: Arc<tokio::sync::Notify>,
}

/// The columns of an event, in the order `decode_row` reads them (a macro so that `concat!`
/// can build whole queries at compile time).
macro_rules! select_event {
    () => {
        "SELECT position, stream_type, stream_id, version, event_id, event_type, \
         schema_version, payload, actor, agency, command_id, correlation_id, causation_id, \
         recorded_at FROM banso_events"
    };
}

impl SqliteStore {
    /// Open (creating if missing) the database at `url` (`sqlite://PATH`) and migrate it.
    pub async fn open(
        url: &str,
        config: &SqliteConfig,
        limits: Limits,
    ) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match config.durability {
                Durability::Full => SqliteSynchronous::Full,
                Durability::Normal => SqliteSynchronous::Normal,
            })
            .busy_timeout(config.busy_timeout)
            .foreign_keys(false);
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Database(sqlx::Error::Configuration(
                    format!("cannot create the directory {}: {e}", dir.display()).into(),
                ))
            })?;
        }

        let mut writer = SqliteConnection::connect_with(&options).await?;
        migrate::sqlite(&mut writer).await?;

        // A connection to a local file does not go stale: no ping before each use (a ping is
        // a round trip to the connection's thread, as dear as a small query).
        let reads = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(config.read_connections.max(1))
            .connect_with(options.pragma("query_only", "true"))
            .await?;

        let head: i64 = sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM banso_events")
            .fetch_one(&mut writer)
            .await?;
        let (head, _) = watch::channel(Position(head as u64));

        let (queue, rx) = Queue::new(config.max_group.max(1) * 4);
        let snapshots = Arc::new(Pending::default());
        let wake_writer = Arc::new(tokio::sync::Notify::new());
        let task = tokio::spawn(run_writer(
            writer,
            Writer {
                jobs: rx,
                head: head.clone(),
                max_group: config.max_group.max(1),
                snapshots: snapshots.clone(),
                wake: wake_writer.clone(),
            },
        ));
        Ok(Self {
            inner: Arc::new(Inner {
                reads,
                queue,
                writer_task: tokio::sync::Mutex::new(Some(task)),
                head,
                limits,
                snapshots,
                wake_writer,
            }),
        })
    }

    pub async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, StoreError> {
        self.inner.queue.submit(request, &self.inner.limits).await
    }

    pub async fn read_stream(
        &self,
        stream: &StreamId,
        from: StreamVersion,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        const SQL: &str = concat!(
            select_event!(),
            " WHERE stream_type = ?1 AND stream_id = ?2 AND version >= ?3 ORDER BY version LIMIT ?4"
        );
        let rows = sqlx::query(SQL)
            .bind(stream.stream_type.as_str())
            .bind(stream.id)
            .bind(sql_int(from.0))
            .bind(sql_limit(limit))
            .fetch_all(&self.inner.reads)
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
        let sql = streams_after_sql(select_event!(), streams.len(), |n| format!("?{n}"));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (stream, after) in streams {
            query = query
                .bind(stream.stream_type.as_str())
                .bind(stream.id)
                .bind(sql_int(after.0));
        }
        let rows = query.fetch_all(&self.inner.reads).await?;
        rows.iter().map(decode_row).collect()
    }

    /// See [`crate::EventStore::read_snapshots`], which calls this with 1 to
    /// `STREAMS_PER_READ` streams.
    pub async fn read_snapshots(
        &self,
        streams: &[StreamId],
        shape: &str,
    ) -> Result<Vec<Snapshot>, StoreError> {
        let sql = snapshots_sql(streams.len(), |n| format!("?{n}"));
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(shape);
        for stream in streams {
            query = query.bind(stream.stream_type.as_str()).bind(stream.id);
        }
        let rows = query.fetch_all(&self.inner.reads).await?;
        Ok(rows
            .iter()
            .map(snapshots::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// See [`crate::EventStore::save_snapshots`]: the writer writes them inside its next
    /// transaction, or alone when no append comes.
    pub fn save_snapshots(&self, snapshots: Vec<Snapshot>) {
        if !snapshots.is_empty() && self.inner.snapshots.push(snapshots) {
            self.inner.wake_writer.notify_one();
        }
    }

    /// See [`crate::EventStore::flush_snapshots`].
    pub async fn flush_snapshots(&self) {
        let settled = self.inner.snapshots.settled();
        self.inner.wake_writer.notify_one();
        settled.await
    }

    pub async fn command_events(
        &self,
        command_id: Uuid,
    ) -> Result<Option<Vec<RecordedEvent>>, StoreError> {
        const SQL: &str = concat!(
            select_event!(),
            " WHERE position IN (SELECT j.value FROM banso_commands c, json_each(c.result, '$.p') j \
               WHERE c.command_id = ?1) ORDER BY position"
        );
        let rows = sqlx::query(SQL)
            .bind(command_id)
            .fetch_all(&self.inner.reads)
            .await?;
        let events = rows.iter().map(decode_row).collect::<Result<Vec<_>, _>>()?;
        Ok((!events.is_empty()).then_some(events))
    }

    pub async fn stream_version(&self, stream: &StreamId) -> Result<StreamVersion, StoreError> {
        let v: i64 = sqlx::query_scalar(
            "SELECT coalesce(max(version), 0) FROM banso_events \
             WHERE stream_type = ?1 AND stream_id = ?2",
        )
        .bind(stream.stream_type.as_str())
        .bind(stream.id)
        .fetch_one(&self.inner.reads)
        .await?;
        Ok(StreamVersion(v as u64))
    }

    pub async fn read_all(
        &self,
        after: Position,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        const SQL: &str = concat!(
            select_event!(),
            " WHERE position > ?1 ORDER BY position LIMIT ?2"
        );
        let rows = sqlx::query(SQL)
            .bind(sql_int(after.0))
            .bind(sql_limit(limit))
            .fetch_all(&self.inner.reads)
            .await?;
        rows.iter().map(decode_row).collect()
    }

    /// The highest position readers can see. Every position up to it is committed.
    pub async fn head(&self) -> Result<Position, StoreError> {
        // Another process may write to the same file: ask the database, not only the writer.
        let head: i64 = sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM banso_events")
            .fetch_one(&self.inner.reads)
            .await?;
        Ok(Position(head as u64).max(*self.inner.head.borrow()))
    }

    /// Changes whenever this process commits an append.
    pub fn watch_head(&self) -> watch::Receiver<Position> {
        self.inner.head.subscribe()
    }

    /// Finish the appends already queued, then stop the writer. Later appends get `Closed`.
    pub async fn close(&self) {
        self.inner.queue.close();
        let mut task = self.inner.writer_task.lock().await;
        if let Some(running) = task.as_mut() {
            let _ = running.await;
            *task = None;
        }
        self.inner.reads.close().await;
    }

    /// The read pool, for tests and tools that inspect the tables directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.inner.reads
    }
}

fn decode_row(row: &SqliteRow) -> Result<RecordedEvent, StoreError> {
    let position: i64 = row.try_get("position")?;
    let position = Position(position as u64);
    let corrupt = |reason: String| StoreError::CorruptRow { position, reason };
    let schema_version: i64 = row.try_get("schema_version")?;
    let recorded_at: i64 = row.try_get("recorded_at")?;
    let payload: String = row
        .try_get("payload")
        .map_err(|e| corrupt(format!("payload is not text: {e}")))?;
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
        recorded_at: OffsetDateTime::from_unix_timestamp_nanos(recorded_at as i128 * 1_000)
            .map_err(|e| corrupt(format!("recorded_at {recorded_at}: {e}")))?,
    })
}

/// What the writer task works from.
struct Writer {
    jobs: mpsc::Receiver<Job>,
    head: watch::Sender<Position>,
    max_group: usize,
    snapshots: Arc<Pending>,
    wake: Arc<tokio::sync::Notify>,
}

async fn run_writer(mut conn: SqliteConnection, mut writer: Writer) {
    let mut group = Vec::with_capacity(writer.max_group);
    let mut statements = Statements::default();
    loop {
        tokio::select! {
            biased;
            received = writer.jobs.recv_many(&mut group, writer.max_group) => {
                if received == 0 {
                    break;
                }
                let results = match commit_set(&mut conn, &group, &writer.snapshots).await {
                    Some(results) => results,
                    None => commit_one_by_one(&mut conn, &group, &mut statements).await,
                };
                // commit_set took the snapshots waiting and wrote them with the group (or
                // lost them to a rollback: they are only a cache).
                writer.snapshots.written();
                if let Some(last) = queue::answer(&mut group, results) {
                    queue::raise(&writer.head, last);
                }
            }
            // Snapshots saved while no append came: a transaction of their own.
            () = writer.wake.notified() => write_pending(&mut conn, &writer.snapshots).await,
        }
    }
    write_pending(&mut conn, &writer.snapshots).await;
    writer.snapshots.close();
    let _ = conn.close().await;
}

/// Write the snapshots waiting, alone.
async fn write_pending(conn: &mut SqliteConnection, pending: &Pending) {
    let snapshots = pending.take();
    if !snapshots.is_empty()
        && let Err(e) = write_snapshots(conn, &snapshots).await
    {
        tracing::warn!(error = %e, "writing snapshots failed");
    }
    pending.written();
}

/// Upsert `snapshots` (see [`replace_older`]), all in one statement.
async fn write_snapshots(
    conn: &mut SqliteConnection,
    snapshots: &[Snapshot],
) -> Result<(), sqlx::Error> {
    let rows: Vec<serde_json::Value> = snapshots
        .iter()
        .map(|s| {
            serde_json::json!([
                s.stream.stream_type.as_str(),
                s.stream.id.simple().to_string(),
                s.version.0,
                s.shape,
                s.state
            ])
        })
        .collect();
    sqlx::query(concat!(
        "INSERT INTO banso_snapshots (stream_type, stream_id, version, shape, state) \
         SELECT value ->> 0, unhex(value ->> 1), value ->> 2, value ->> 3, value ->> 4 \
           FROM json_each(?1) WHERE true",
        replace_older!()
    ))
    .bind(serde_json::Value::Array(rows).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Commit a whole group in three round trips: one opens the transaction and looks up every
/// command id and stream version of the group; the writer decides each append in memory (it
/// holds the write lock, so what it read stays true until it commits); one writes the accepted
/// events and command records (`insert_accepted`); one commits.
///
/// A refused append (a conflict, a reused command id) is simply left out, so it cannot fail
/// its neighbours. Anything the memory cannot decide — an event id that may already be
/// stored, a failing statement — rolls the transaction back and returns `None`: the group is
/// then committed by `commit_one_by_one`, with a savepoint per append.
async fn commit_set(
    conn: &mut SqliteConnection,
    group: &[Job],
    snapshots: &Pending,
) -> Option<Vec<Result<AppendOutcome, StoreError>>> {
    use std::collections::HashMap;
    use std::fmt::Write as _;

    // Every distinct stream and command of the group, as JSON arrays for json_each.
    let mut streams: Vec<&StreamId> = Vec::new();
    let mut stream_index: HashMap<&StreamId, usize> = HashMap::new();
    let mut streams_json = String::from("[");
    let mut commands_json = String::from("[");
    for (i, job) in group.iter().enumerate() {
        if i > 0 {
            commands_json.push(',');
        }
        let _ = write!(commands_json, "\"{}\"", job.request.command_id().simple());
        for s in &job.request.streams {
            if stream_index.contains_key(&s.stream) {
                continue;
            }
            if !streams.is_empty() {
                streams_json.push(',');
            }
            // Stream types are [a-z0-9_]: nothing to escape.
            let _ = write!(
                streams_json,
                "[\"{}\",\"{}\"]",
                s.stream.stream_type,
                s.stream.id.simple()
            );
            stream_index.insert(&s.stream, streams.len());
            streams.push(&s.stream);
        }
    }
    streams_json.push(']');
    commands_json.push(']');

    let rows = sqlx::query(
        "BEGIN IMMEDIATE; \
         SELECT 0 AS kind, NULL AS k, (SELECT coalesce(max(position), 0) FROM banso_events) AS v, \
                NULL AS fingerprint, NULL AS result \
         UNION ALL \
         SELECT 1, j.key, (SELECT coalesce(max(e.version), 0) FROM banso_events e \
                           WHERE e.stream_type = j.value ->> 0 \
                             AND e.stream_id = unhex(j.value ->> 1)), NULL, NULL \
           FROM json_each(?1) AS j \
         UNION ALL \
         SELECT 2, c.command_id, NULL, c.fingerprint, c.result \
           FROM json_each(?2) AS j JOIN banso_commands c ON c.command_id = unhex(j.value)",
    )
    .bind(&streams_json)
    .bind(&commands_json)
    .fetch_all(&mut *conn)
    .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => {
            tracing::debug!(error = %e, "group lookup failed; committing one by one");
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            return None;
        }
    };
    let mut next = 1i64;
    let mut versions: HashMap<&StreamId, u64> = HashMap::with_capacity(streams.len());
    let mut stored: HashMap<Uuid, (Vec<u8>, String)> = HashMap::new();
    for row in &rows {
        let parsed: Result<(), sqlx::Error> = (|| {
            match row.try_get::<i64, _>("kind")? {
                0 => next = row.try_get::<i64, _>("v")? + 1,
                1 => {
                    let k: i64 = row.try_get("k")?;
                    if let Some(stream) = streams.get(k as usize) {
                        versions.insert(stream, row.try_get::<i64, _>("v")? as u64);
                    }
                }
                _ => {
                    stored.insert(
                        row.try_get("k")?,
                        (row.try_get("fingerprint")?, row.try_get("result")?),
                    );
                }
            }
            Ok(())
        })();
        if parsed.is_err() {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            return None;
        }
    }

    let verdicts = append::decide_group(
        group.iter().map(|j| (&j.request, &j.fingerprint)),
        &stored,
        &mut versions,
    );
    let mut results: Vec<Result<AppendOutcome, StoreError>> = Vec::with_capacity(group.len());
    let mut accepted: Vec<(usize, Vec<u64>)> = Vec::new();
    let mut accepted_ids: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
    for (g, verdict) in verdicts.into_iter().enumerate() {
        let job = &group[g];
        results.push(match verdict {
            Verdict::Answer(answer) => answer,
            Verdict::SameAs(first) => match &results[first] {
                Ok(o) => Ok(AppendOutcome {
                    duplicate: true,
                    ..o.clone()
                }),
                Err(_) => Err(StoreError::WriteFailed {
                    reason: "the first attempt of this command failed".into(),
                }),
            },
            Verdict::Conflict(conflict) => {
                // It may be a retry by event id of an append accepted earlier in this group
                // (not written yet, so invisible to a read) or already stored: the careful
                // path answers both. Otherwise the conflict stands.
                if job
                    .request
                    .events()
                    .any(|(_, _, e)| accepted_ids.contains(&e.event_id))
                {
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    return None;
                }
                match retry_by_event_ids(conn, job).await {
                    Ok(None) => Err(conflict),
                    Ok(Some(_)) | Err(_) => {
                        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                        return None;
                    }
                }
            }
            Verdict::Accept { bases } => {
                let count = job.request.event_count() as i64;
                let result = StoredResult {
                    positions: (next..next + count).map(|p| p as u64).collect(),
                    base_versions: bases.clone(),
                };
                next += count;
                accepted_ids.extend(job.request.events().map(|(_, _, e)| e.event_id));
                accepted.push((g, bases));
                Ok(result.outcome(&job.request, false))
            }
        });
    }

    let written = insert_accepted(conn, group, &accepted, &results).await;
    // Snapshots saved meanwhile ride along (a failed statement leaves the transaction as it
    // was: they are only a cache).
    let saved = snapshots.take();
    if written.is_ok()
        && !saved.is_empty()
        && let Err(e) = write_snapshots(conn, &saved).await
    {
        tracing::warn!(error = %e, "writing snapshots failed");
    }
    let committed = match written {
        Ok(()) => sqlx::query("COMMIT").execute(&mut *conn).await.map(|_| ()),
        Err(e) => Err(e),
    };
    if let Err(e) = committed {
        tracing::debug!(error = %e, "group insert failed; committing one by one");
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        return None;
    }
    Some(results)
}

/// The rows of the accepted appends and their command records, in one round trip: each table's
/// rows travel as one JSON text, unpacked by `json_each`. (Binding many parameters is
/// quadratic in SQLite: `sqlite3_bind_parameter_name` scans a list for every parameter, and
/// sqlx asks it for each one.) Payloads travel as JSON strings, so they are stored byte for byte.
async fn insert_accepted(
    conn: &mut SqliteConnection,
    group: &[Job],
    accepted: &[(usize, Vec<u64>)],
    results: &[Result<AppendOutcome, StoreError>],
) -> Result<(), sqlx::Error> {
    use std::fmt::Write as _;

    let recorded_at = micros(OffsetDateTime::now_utc());
    let hex = |u: Option<Uuid>| match u {
        Some(u) => format!("\"{}\"", u.simple()),
        None => "null".to_owned(),
    };
    let mut events = String::from("[");
    let mut commands = String::from("[");
    for (g, bases) in accepted {
        let job = &group[*g];
        let request = &job.request;
        let Ok(outcome) = &results[*g] else { continue };
        let m = &request.metadata;
        let metadata = format!(
            "{},{},{},{},{},{}",
            hex(m.actor),
            hex(m.agency),
            hex(Some(m.command_id)),
            hex(Some(m.correlation_id)),
            hex(m.causation_id),
            recorded_at
        );
        let mut in_stream = vec![0u64; request.streams.len()];
        for (i, (stream_index, s, e)) in request.events().enumerate() {
            in_stream[stream_index] += 1;
            if events.len() > 1 {
                events.push(',');
            }
            // Stream and event type names are validated ASCII without quotes or backslashes.
            let _ = write!(
                events,
                "[{},\"{}\",\"{}\",\"{}\",{},\"{}\",{},{},{}]",
                outcome.positions[i].0,
                e.event_id.simple(),
                s.stream.stream_type,
                s.stream.id.simple(),
                bases[stream_index] + in_stream[stream_index],
                e.event_type,
                e.schema_version,
                serde_json::Value::String(e.payload.get().to_owned()),
                metadata
            );
        }
        let stored = StoredResult {
            positions: outcome.positions.iter().map(|p| p.0).collect(),
            base_versions: bases.clone(),
        };
        if commands.len() > 1 {
            commands.push(',');
        }
        let _ = write!(
            commands,
            "[\"{}\",\"{}\",{},{}]",
            request.command_id().simple(),
            job.fingerprint
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            serde_json::Value::String(stored.to_json()),
            recorded_at
        );
    }
    events.push(']');
    commands.push(']');
    sqlx::query(
        "INSERT INTO banso_events (position, event_id, stream_type, stream_id, version, \
                event_type, schema_version, payload, actor, agency, command_id, \
                correlation_id, causation_id, recorded_at) \
         SELECT value ->> 0, unhex(value ->> 1), value ->> 2, unhex(value ->> 3), value ->> 4, \
                value ->> 5, value ->> 6, value ->> 7, unhex(value ->> 8), unhex(value ->> 9), \
                unhex(value ->> 10), unhex(value ->> 11), unhex(value ->> 12), value ->> 13 \
           FROM json_each(?1); \
         INSERT INTO banso_commands (command_id, fingerprint, result, recorded_at) \
         SELECT unhex(value ->> 0), unhex(value ->> 1), value ->> 2, value ->> 3 \
           FROM json_each(?2)",
    )
    .bind(events)
    .bind(commands)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Run one group of appends in one transaction, each in its own savepoint: the careful path,
/// taken when the set-based one (`commit_set`) met something it does not decide in memory.
///
/// Round trips to SQLite's thread dominate the cost, so each append takes two: one that opens
/// its savepoint and looks up its command id and stream versions, and one that writes its
/// events and command record and releases the savepoint. (sqlx binds numbered parameters
/// `?NNN` across all statements of a multi-statement query.)
async fn commit_one_by_one(
    conn: &mut SqliteConnection,
    group: &[Job],
    statements: &mut Statements,
) -> Vec<Result<AppendOutcome, StoreError>> {
    let group_failed = |e: &dyn std::fmt::Display| {
        group
            .iter()
            .map(|_| {
                Err(StoreError::WriteFailed {
                    reason: e.to_string(),
                })
            })
            .collect()
    };
    let next: Result<i64, _> = sqlx::query_scalar(
        "BEGIN IMMEDIATE; SELECT coalesce(max(position), 0) + 1 FROM banso_events",
    )
    .fetch_one(&mut *conn)
    .await;
    let mut next = match next {
        Ok(n) => n,
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            return group_failed(&e);
        }
    };

    let mut results = Vec::with_capacity(group.len());
    for job in group {
        let result = match apply(conn, job, next, statements).await {
            Ok(Applied::Written(outcome)) => {
                next += outcome.positions.len() as i64;
                Ok(outcome)
            }
            Ok(Applied::Unchanged(outcome)) => Ok(outcome),
            Err(Failure::Refused(e)) => Err(e),
            Err(Failure::Broken(e)) => {
                // The savepoint could not be opened or closed: the transaction is in an
                // unknown state, so none of the group may commit.
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                return group_failed(&e);
            }
        };
        results.push(result);
    }

    if let Err(e) = sqlx::query("COMMIT").execute(&mut *conn).await {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        // Nothing of this group is stored. Not even a duplicate's answer can stand: it may have
        // been read from a row this very transaction wrote (a retry in the same group). A
        // retry of any of them gets the true answer.
        return results
            .into_iter()
            .map(|r| match r {
                Ok(_) => Err(StoreError::WriteFailed {
                    reason: e.to_string(),
                }),
                Err(other) => Err(other),
            })
            .collect();
    }
    results
}

enum Applied {
    /// Events were written (and the savepoint released).
    Written(AppendOutcome),
    /// Nothing was written: a retry answered from the store (the savepoint released).
    Unchanged(AppendOutcome),
}

enum Failure {
    /// The append is refused; its savepoint was rolled back and released.
    Refused(StoreError),
    /// The savepoint itself failed: the whole group must be abandoned.
    Broken(sqlx::Error),
}

/// One append inside its savepoint. `next` is the position of its first event.
async fn apply(
    conn: &mut SqliteConnection,
    job: &Job,
    next: i64,
    statements: &mut Statements,
) -> Result<Applied, Failure> {
    let request = &job.request;
    let mut lookup = sqlx::query(AssertSqlSafe(statements.lookup(request.streams.len())))
        .bind(request.command_id());
    for s in &request.streams {
        lookup = lookup.bind(s.stream.stream_type.as_str()).bind(s.stream.id);
    }
    let row = match lookup.fetch_one(&mut *conn).await {
        Ok(row) => row,
        // The savepoint may or may not be open: treat as broken.
        Err(e) => return Err(Failure::Broken(e)),
    };
    match decide(conn, job, &row).await {
        Ok(Decision::Write { bases }) => write(conn, job, next, bases, statements).await,
        Ok(Decision::Answer(outcome)) => {
            end_savepoint(conn, "RELEASE banso_append").await?;
            Ok(Applied::Unchanged(outcome))
        }
        Err(e) => {
            end_savepoint(conn, "ROLLBACK TO banso_append; RELEASE banso_append").await?;
            Err(Failure::Refused(e))
        }
    }
}

enum Decision {
    Write { bases: Vec<u64> },
    Answer(AppendOutcome),
}

/// From the lookup row (stored fingerprint and result, then each stream's version): write,
/// answer a retry, or refuse, by the same rules as a whole group (`append::decide_group`).
async fn decide(
    conn: &mut SqliteConnection,
    job: &Job,
    row: &SqliteRow,
) -> Result<Decision, StoreError> {
    let request = &job.request;
    let mut stored = std::collections::HashMap::new();
    let fingerprint: Option<Vec<u8>> = row.try_get(0)?;
    let result: Option<String> = row.try_get(1)?;
    if let (Some(fingerprint), Some(result)) = (fingerprint, result) {
        stored.insert(request.command_id(), (fingerprint, result));
    }
    let mut versions = std::collections::HashMap::with_capacity(request.streams.len());
    for (i, s) in request.streams.iter().enumerate() {
        versions.insert(&s.stream, row.try_get::<i64, _>(2 + i)? as u64);
    }
    let verdict = append::decide_group([(request, &job.fingerprint)], &stored, &mut versions)
        .pop()
        .expect("one verdict per append");
    match verdict {
        Verdict::Accept { bases } => Ok(Decision::Write { bases }),
        Verdict::Answer(answer) => answer.map(Decision::Answer),
        // A retry of an append that succeeded always fails its version check: recognise it by
        // its event ids before calling it a conflict.
        Verdict::Conflict(conflict) => match retry_by_event_ids(conn, job).await? {
            Some(outcome) => Ok(Decision::Answer(outcome)),
            None => Err(conflict),
        },
        Verdict::SameAs(_) => unreachable!("a group of one has no earlier append"),
    }
}

/// Write the events and the command record and release the savepoint, in one round trip.
async fn write(
    conn: &mut SqliteConnection,
    job: &Job,
    next: i64,
    bases: Vec<u64>,
    statements: &mut Statements,
) -> Result<Applied, Failure> {
    let request = &job.request;
    let n = request.event_count();
    let recorded_at = micros(OffsetDateTime::now_utc());
    let m = &request.metadata;
    let mut positions = Vec::with_capacity(n);
    let mut in_stream = vec![0u64; request.streams.len()];
    let mut query = sqlx::query(AssertSqlSafe(statements.write(n)))
        .bind(m.actor)
        .bind(m.agency)
        .bind(m.command_id)
        .bind(m.correlation_id)
        .bind(m.causation_id)
        .bind(recorded_at);
    for (i, (stream_index, s, e)) in request.events().enumerate() {
        in_stream[stream_index] += 1;
        let position = next + i as i64;
        positions.push(position as u64);
        query = query
            .bind(position)
            .bind(e.event_id)
            .bind(s.stream.stream_type.as_str())
            .bind(s.stream.id)
            .bind((bases[stream_index] + in_stream[stream_index]) as i64)
            .bind(e.event_type.as_str())
            .bind(e.schema_version as i64)
            .bind(e.payload.get());
    }
    let result = StoredResult {
        positions,
        base_versions: bases,
    };
    let written = query
        .bind(&job.fingerprint[..])
        .bind(result.to_json())
        .execute(&mut *conn)
        .await;
    match written {
        Ok(_) => Ok(Applied::Written(result.outcome(request, false))),
        Err(e) => {
            // The failed statement was undone by SQLite; undo the rest of this append.
            end_savepoint(conn, "ROLLBACK TO banso_append; RELEASE banso_append").await?;
            if is_unique_violation(&e, "event_id") {
                // Another append stored one of these event ids (checked after rolling back).
                return match retry_by_event_ids(conn, job).await {
                    Ok(Some(outcome)) => Ok(Applied::Unchanged(outcome)),
                    Ok(None) => Err(Failure::Refused(StoreError::Database(e))),
                    Err(other) => Err(Failure::Refused(other)),
                };
            }
            Err(Failure::Refused(e.into()))
        }
    }
}

async fn end_savepoint(conn: &mut SqliteConnection, sql: &'static str) -> Result<(), Failure> {
    sqlx::query(sql)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(Failure::Broken)
}

/// If all event ids of the request were stored by one earlier append of the same content, this
/// is a retry of it under another command id: answer with that append's result. Some but not
/// all, or different content, is a clash. None stored: `None`.
async fn retry_by_event_ids(
    conn: &mut SqliteConnection,
    job: &Job,
) -> Result<Option<AppendOutcome>, StoreError> {
    let ids: Vec<Uuid> = job.request.events().map(|(_, _, e)| e.event_id).collect();
    let placeholders = vec!["?"; ids.len()].join(", ");
    let sql =
        format!("SELECT event_id, command_id FROM banso_events WHERE event_id IN ({placeholders})");
    let mut query = sqlx::query_as::<_, (Uuid, Uuid)>(AssertSqlSafe(sql));
    for id in &ids {
        query = query.bind(*id);
    }
    let found = query.fetch_all(&mut *conn).await?;
    let Some(command) = append::earlier_append_of(&ids, &found)? else {
        return Ok(None);
    };
    let stored: Option<(Vec<u8>, String)> =
        sqlx::query_as("SELECT fingerprint, result FROM banso_commands WHERE command_id = ?1")
            .bind(command)
            .fetch_optional(&mut *conn)
            .await?;
    append::replay_by_event_ids(&job.request, &job.fingerprint, command, &ids, stored).map(Some)
}

fn is_unique_violation(error: &sqlx::Error, column: &str) -> bool {
    match error {
        sqlx::Error::Database(db) => db.is_unique_violation() && db.message().contains(column),
        _ => false,
    }
}

pub(crate) fn micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

/// The statements of an append, built once per shape and kept (sqlx also caches the prepared
/// statement under the same text).
#[derive(Default)]
struct Statements {
    lookups: Vec<Option<Arc<str>>>,
    writes: Vec<Option<Arc<str>>>,
}

impl Statements {
    /// Open the savepoint, then one row: the stored fingerprint and result of the command
    /// (`?1`), and the version of each stream (`?2k`, `?2k+1`).
    fn lookup(&mut self, streams: usize) -> Arc<str> {
        cached(&mut self.lookups, streams, |streams| {
            let mut sql = String::from(
                "SAVEPOINT banso_append; SELECT \
                 (SELECT fingerprint FROM banso_commands WHERE command_id = ?1), \
                 (SELECT result FROM banso_commands WHERE command_id = ?1)",
            );
            for k in 0..streams {
                let (t, id) = (2 + 2 * k, 3 + 2 * k);
                sql.push_str(&format!(
                    ", (SELECT coalesce(max(version), 0) FROM banso_events \
                     WHERE stream_type = ?{t} AND stream_id = ?{id})"
                ));
            }
            sql
        })
    }

    /// Insert n events and the command record, then release the savepoint. Parameters 1-6 are
    /// the metadata shared by all rows (actor, agency, command id, correlation id, causation
    /// id, recorded at), then 8 per event, then the fingerprint and the result.
    fn write(&mut self, n: usize) -> Arc<str> {
        cached(&mut self.writes, n, |n| {
            let mut sql = String::from(
                "INSERT INTO banso_events (position, event_id, stream_type, stream_id, \
                 version, event_type, schema_version, payload, actor, agency, command_id, \
                 correlation_id, causation_id, recorded_at) VALUES ",
            );
            for row in 0..n {
                let p = 7 + row * 8;
                if row > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in p..p + 8 {
                    sql.push_str(&format!("?{c}, "));
                }
                sql.push_str("?1, ?2, ?3, ?4, ?5, ?6)");
            }
            let f = 7 + n * 8;
            sql.push_str(&format!(
                "; INSERT INTO banso_commands (command_id, fingerprint, result, recorded_at) \
                 VALUES (?3, ?{f}, ?{}, ?6); RELEASE banso_append",
                f + 1
            ));
            sql
        })
    }
}

fn cached(
    slots: &mut Vec<Option<Arc<str>>>,
    n: usize,
    build: impl FnOnce(usize) -> String,
) -> Arc<str> {
    if slots.len() <= n {
        slots.resize(n + 1, None);
    }
    slots[n].get_or_insert_with(|| build(n).into()).clone()
}
