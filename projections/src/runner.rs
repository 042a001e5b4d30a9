//! Feeding the read models: catch-up, live updates, exactly-once checkpoints and rebuilds.
//!
//! Each read model has an active generation (`rm_active`) and a checkpoint per generation
//! (`rm_checkpoints`). A batch is decoded once and applied to every read model in one
//! transaction that first locks and checks their checkpoints, writes the tables, then moves the
//! checkpoints: a batch counts once or not at all, and several servers on one PostgreSQL may all
//! run the runner (the loser of a race sees a checkpoint moved, rolls back and carries on from
//! the database's state).
//!
//! A rebuild creates generation N+1 of the read models it rebuilds and fills them from position
//! 0 in one pass while the server keeps serving and updating N, then switches `rm_active` to
//! N+1; the runner notices the switch and goes on from N+1's checkpoints. Generation N stays
//! until the next rebuild drops it, so a query that started on N finishes on N. The cases read
//! model holds what it folds during a rebuild (see [`REBUILD_HOLD`]); its checkpoint moves
//! only when that is written.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use banso_events::codec::Codec;
use banso_events::domain::event::Envelope;
use banso_events::domain::values::Day;
use banso_events::{EventStore, Position, RecordedEvent, StoreConfig};
use sqlx::Row;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::db::{Dialect, ReadDb, Usage};
use crate::error::ReadError;
use crate::models::directory::{DirectoryCache, changes_directory};
use crate::projection::{Carry, Item, Projection, Tx};

/// Events applied per transaction by the live runner.
const BATCH: usize = 1_000;
/// Events read and applied per transaction by a rebuild.
const REBUILD_BATCH: usize = 10_000;
/// Cases a rebuild folds in memory before it writes them out. A case with events all over
/// the store is then written once rather than once per batch; each costs a few kilobytes.
pub const REBUILD_HOLD: usize = 200_000;
/// How often waiters for a position read the checkpoints from the database (see
/// [`ReadModels::wait_for`]).
const LOOK_AGAIN: Duration = Duration::from_millis(25);
/// How often an idle runner looks for a generation switched by a rebuild elsewhere.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// The read models: queries (see the `models` modules) and the machinery that keeps them.
#[derive(Clone)]
pub struct ReadModels {
    pub(crate) db: ReadDb,
    shared: Arc<Shared>,
}

struct Shared {
    /// When a waiter last read the checkpoints from the database.
    last_look: Mutex<Instant>,
    /// Agencies and supporters as last read (see [`DirectoryCache`]).
    directory: Mutex<DirectoryCache>,
    /// The active generation of each projection, as last seen.
    generations: RwLock<[i64; Projection::ALL.len()]>,
    /// The lowest checkpoint over all projections that this process knows of.
    progress: watch::Sender<Position>,
}

/// Where one read model stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectionStatus {
    pub projection: Projection,
    pub generation: i64,
    pub position: Position,
}

impl ReadModels {
    /// Open the read models at `url` (see [`crate::read_url_for`]), creating the tables of
    /// any read model that has none yet.
    pub async fn open(url: &str) -> Result<Self, ReadError> {
        Self::open_for(url, Usage::Serving).await
    }

    /// [`Self::open`] with the connection settings for `usage` (see [`Usage`]).
    pub async fn open_for(url: &str, usage: Usage) -> Result<Self, ReadError> {
        let db = ReadDb::connect_for(url, usage).await?;
        let models = Self {
            db,
            shared: Arc::new(Shared {
                directory: Mutex::default(),
                last_look: Mutex::new(Instant::now()),
                generations: RwLock::new([1; Projection::ALL.len()]),
                progress: watch::channel(Position::START).0,
            }),
        };
        for projection in Projection::ALL {
            models.ensure_active(projection).await?;
        }
        models.refresh().await?;
        Ok(models)
    }

    pub fn db(&self) -> &ReadDb {
        &self.db
    }

    pub fn pool(&self) -> &sqlx::AnyPool {
        self.db.pool()
    }

    /// Whether this waiter should read the checkpoints (none did in the last [`LOOK_AGAIN`]).
    fn my_turn_to_look(&self) -> bool {
        let mut last = self.shared.last_look.lock().expect("not poisoned");
        if last.elapsed() >= LOOK_AGAIN {
            *last = Instant::now();
            true
        } else {
            false
        }
    }

    pub(crate) fn directory_cache(&self) -> MutexGuard<'_, DirectoryCache> {
        self.shared.directory.lock().expect("not poisoned")
    }

    /// The active generation of `projection`, for queries.
    pub(crate) fn generation(&self, projection: Projection) -> i64 {
        self.shared.generations.read().expect("not poisoned")[projection.index()]
    }

    /// The active table `base` of `projection`.
    pub(crate) fn table(&self, projection: Projection, base: &str) -> String {
        crate::projection::table_name(base, self.generation(projection))
    }

    /// Create generation 1 of `projection` if it has no active generation. If the active
    /// generation's tables were created by other statements than the code's now (an upgrade
    /// changed the read model), switch to a fresh generation at position 0, which the runner
    /// then fills from the first event.
    async fn ensure_active(&self, projection: Projection) -> Result<(), ReadError> {
        let mut tx = self.db.begin_write().await?;
        self.db.serialize_setup(&mut tx).await?;
        let active: Option<i64> =
            sqlx::query_scalar("SELECT generation FROM rm_active WHERE name = $1")
                .bind(projection.name())
                .fetch_optional(&mut *tx)
                .await?;
        match active {
            None => {
                create_tables(&mut tx, projection, 1, Statements::All).await?;
                sqlx::query("INSERT INTO rm_active (name, generation) VALUES ($1, 1)")
                    .bind(projection.name())
                    .execute(&mut *tx)
                    .await?;
            }
            Some(active) => {
                let statements: Option<String> = sqlx::query_scalar(
                    "SELECT statements FROM rm_schemas WHERE name = $1 AND generation = $2",
                )
                .bind(projection.name())
                .bind(active)
                .fetch_optional(&mut *tx)
                .await?;
                if statements.as_deref() != Some(projection.statements().as_str()) {
                    let highest: Option<i64> = sqlx::query_scalar(
                        "SELECT MAX(generation) FROM rm_checkpoints WHERE name = $1",
                    )
                    .bind(projection.name())
                    .fetch_one(&mut *tx)
                    .await?;
                    let next = highest.unwrap_or(active).max(active) + 1;
                    tracing::warn!(
                        projection = projection.name(),
                        generation = next,
                        "the read model's tables changed; rebuilding it from the first event"
                    );
                    create_tables(&mut tx, projection, next, Statements::All).await?;
                    sqlx::query("UPDATE rm_active SET generation = $1 WHERE name = $2")
                        .bind(next)
                        .bind(projection.name())
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every read model's active generation and checkpoint, read from the database.
    pub async fn status(&self) -> Result<Vec<ProjectionStatus>, ReadError> {
        let rows = sqlx::query(
            "SELECT a.name, a.generation, c.position FROM rm_active a
             JOIN rm_checkpoints c ON c.name = a.name AND c.generation = a.generation",
        )
        .fetch_all(self.db.pool())
        .await?;
        let mut status = Vec::new();
        for row in rows {
            let name: String = row.try_get(0)?;
            let Ok(projection) = Projection::parse(&name) else {
                continue;
            };
            status.push(ProjectionStatus {
                projection,
                generation: row.try_get(1)?,
                position: Position(row.try_get::<i64, _>(2)? as u64),
            });
        }
        status.sort_by_key(|s| s.projection);
        Ok(status)
    }

    /// Read the active generations and checkpoints again; returns the lowest checkpoint.
    async fn refresh(&self) -> Result<Vec<ProjectionStatus>, ReadError> {
        let status = self.status().await?;
        {
            let mut generations = self.shared.generations.write().expect("not poisoned");
            for s in &status {
                generations[s.projection.index()] = s.generation;
            }
        }
        if let Some(low) = status.iter().map(|s| s.position).min() {
            self.shared.progress.send_if_modified(|p| {
                let moved = *p != low;
                *p = low;
                moved
            });
        }
        Ok(status)
    }

    /// Wait until every read model has applied `position` (read your own writes).
    pub async fn wait_for(&self, position: Position, timeout: Duration) -> Result<(), ReadError> {
        let started = Instant::now();
        let mut progress = self.shared.progress.subscribe();
        loop {
            if *progress.borrow_and_update() >= position {
                return Ok(());
            }
            let waited = started.elapsed();
            if waited >= timeout {
                return Err(ReadError::WaitTimeout {
                    position: position.0,
                    waited_ms: waited.as_millis(),
                });
            }
            // Another server's runner may have done the work: look in the database now and
            // then (one waiter for all of them), and otherwise wake on this process's runner.
            let pause = LOOK_AGAIN.min(timeout - waited);
            if tokio::time::timeout(pause, progress.changed())
                .await
                .is_err()
                && self.my_turn_to_look()
            {
                self.refresh().await?;
            }
        }
    }

    /// Run the runner until the returned handle is aborted (or the store closes for good).
    pub fn spawn_runner(&self, store: EventStore, config: StoreConfig) -> JoinHandle<()> {
        let models = self.clone();
        tokio::spawn(async move {
            loop {
                match models.run(&store, &config).await {
                    Ok(()) => return,
                    Err(error) => {
                        tracing::error!(%error, "projection runner failed; restarting in 1 s");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        })
    }

    /// Apply every stored event the read models have not seen yet, then return (for the
    /// command line, and before a server starts answering).
    pub async fn catch_up(&self, store: &EventStore) -> Result<(), ReadError> {
        let codec = Codec::<Envelope>::new();
        loop {
            let mut feeds: Vec<Feed> = self.refresh().await?.into_iter().map(Feed::live).collect();
            let low = lowest(&feeds).unwrap_or(Position::START);
            let batch = store.read_all(low, BATCH * 4).await?;
            if batch.is_empty() {
                return Ok(());
            }
            let decoded = Decoded::new(&codec, batch)?;
            self.apply_batch(&mut feeds, &decoded.items()).await?;
        }
    }

    /// Catch up, then follow the store.
    async fn run(&self, store: &EventStore, config: &StoreConfig) -> Result<(), ReadError> {
        let codec = Codec::<Envelope>::new();
        loop {
            let mut feeds: Vec<Feed> = self.refresh().await?.into_iter().map(Feed::live).collect();
            let mut subscription =
                store.subscribe(lowest(&feeds).unwrap_or(Position::START), config);
            // Follow until a batch finds a checkpoint moved by someone else or the idle check
            // sees a generation switch; then read the state again.
            loop {
                let batch = match tokio::time::timeout(IDLE_CHECK, subscription.next_batch()).await
                {
                    Ok(batch) => batch?,
                    Err(_) => {
                        let now = self.status().await?;
                        if now.iter().ne(feeds.iter().map(|f| &f.status)) {
                            break;
                        }
                        continue;
                    }
                };
                let decoded = Decoded::new(&codec, batch)?;
                let items = decoded.items();
                let mut in_step = true;
                for chunk in items.chunks(BATCH) {
                    in_step &= self.apply_batch(&mut feeds, chunk).await?;
                }
                if let Some(low) = lowest(&feeds) {
                    self.shared.progress.send_if_modified(|p| {
                        let moved = *p < low;
                        if moved {
                            *p = low;
                        }
                        moved
                    });
                }
                if !in_step {
                    break;
                }
            }
        }
    }

    /// Apply the events of `items` after each feed's position to its generation, all in one
    /// transaction. False if someone else moved a checkpoint (start again from the database's
    /// state); nothing is written then.
    async fn apply_batch(&self, feeds: &mut [Feed], items: &[Item<'_>]) -> Result<bool, ReadError> {
        let after = |feed: &Feed| {
            &items[items.partition_point(|i| i.recorded.position <= feed.status.position)..]
        };
        if feeds.iter().all(|feed| after(feed).is_empty()) {
            return Ok(true);
        }
        let mut tx = self.db.begin_write().await?;
        let fed: Vec<&Feed> = feeds.iter().filter(|f| !after(f).is_empty()).collect();
        if !self.checkpoints_are(&mut tx, &fed).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        let mut moved = Vec::new();
        for (i, feed) in feeds.iter_mut().enumerate() {
            let fresh = after(feed);
            let Some(last) = fresh.last().map(|i| i.recorded.position) else {
                continue;
            };
            let ProjectionStatus {
                projection,
                generation,
                ..
            } = feed.status;
            projection
                .apply(&mut tx, generation, fresh, &mut feed.carry, feed.hold)
                .await?;
            feed.status.position = last;
            if feed.carry.is_settled() {
                moved.push(i);
            }
        }
        self.move_checkpoints(&mut tx, feeds, &moved).await?;
        tx.commit().await?;
        if items.iter().any(changes_directory) {
            self.directory_cache().clear();
        }
        Ok(true)
    }

    /// Write what the feeds hold back and move their checkpoints to where they are.
    async fn settle(&self, feeds: &mut [Feed]) -> Result<bool, ReadError> {
        let mut tx = self.db.begin_write().await?;
        if !self
            .checkpoints_are(&mut tx, &feeds.iter().collect::<Vec<_>>())
            .await?
        {
            tx.rollback().await?;
            return Ok(false);
        }
        for feed in feeds.iter_mut() {
            let ProjectionStatus {
                projection,
                generation,
                ..
            } = feed.status;
            projection
                .flush(&mut tx, generation, &mut feed.carry)
                .await?;
        }
        let all: Vec<usize> = (0..feeds.len()).collect();
        self.move_checkpoints(&mut tx, feeds, &all).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Lock the checkpoint rows of `feeds` for this transaction (one query for all); whether
    /// each is where its feed left it.
    async fn checkpoints_are(&self, tx: &mut Tx, feeds: &[&Feed]) -> Result<bool, ReadError> {
        if feeds.is_empty() {
            return Ok(true);
        }
        let mut sql = String::from("SELECT name, generation, position FROM rm_checkpoints WHERE ");
        sql.push_str(&checkpoint_rows(0, feeds.len()));
        if self.db.dialect() == Dialect::Postgres {
            sql.push_str(" FOR UPDATE");
        }
        let mut query = sqlx::query_as::<_, (String, i64, i64)>(sqlx::AssertSqlSafe(sql));
        for feed in feeds {
            query = query
                .bind(feed.status.projection.name())
                .bind(feed.status.generation);
        }
        let stored = query.fetch_all(&mut **tx).await?;
        Ok(feeds.iter().all(|feed| {
            stored.iter().any(|(name, generation, position)| {
                name == feed.status.projection.name()
                    && *generation == feed.status.generation
                    && *position == feed.stored.0 as i64
            })
        }))
    }

    /// Move the checkpoints of `feeds[i]` for each `i` of `which` to where those feeds are:
    /// one statement per position (usually one for all).
    async fn move_checkpoints(
        &self,
        tx: &mut Tx,
        feeds: &mut [Feed],
        which: &[usize],
    ) -> Result<(), ReadError> {
        let mut by_position: BTreeMap<Position, Vec<usize>> = BTreeMap::new();
        for &i in which {
            by_position
                .entry(feeds[i].status.position)
                .or_default()
                .push(i);
        }
        for (position, moving) in by_position {
            let sql = format!(
                "UPDATE rm_checkpoints SET position = $1 WHERE {}",
                checkpoint_rows(1, moving.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(position.0 as i64);
            for &i in &moving {
                query = query
                    .bind(feeds[i].status.projection.name())
                    .bind(feeds[i].status.generation);
            }
            query.execute(&mut **tx).await?;
            for i in moving {
                feeds[i].stored = position;
            }
        }
        Ok(())
    }

    /// Rebuild `projections` from position 0 into fresh generations, in one pass over the
    /// store, and switch readers to them. Returns the new generations and how many events the
    /// pass read.
    pub async fn rebuild(
        &self,
        store: &EventStore,
        projections: &[Projection],
    ) -> Result<(Vec<(Projection, i64)>, u64), ReadError> {
        self.rebuild_holding(store, projections, REBUILD_HOLD).await
    }

    /// [`Self::rebuild`], holding up to `hold` folded cases in memory before writing them.
    pub async fn rebuild_holding(
        &self,
        store: &EventStore,
        projections: &[Projection],
        hold: usize,
    ) -> Result<(Vec<(Projection, i64)>, u64), ReadError> {
        let mut feeds = Vec::new();
        for &projection in projections {
            let generation = self.prepare_generation(projection).await?;
            feeds.push(Feed {
                status: ProjectionStatus {
                    projection,
                    generation,
                    position: Position::START,
                },
                stored: Position::START,
                carry: Carry::default(),
                hold: hold.max(1),
            });
        }
        let raced = || ReadError::RebuildRaced(projections.iter().map(|p| p.name()).collect());
        // Read and decode the next batch in a task of its own (on another thread) while this
        // one is written.
        let codec = Arc::new(Codec::<Envelope>::new());
        let fetch = |after: Position| {
            let (store, codec) = (store.clone(), codec.clone());
            tokio::spawn(async move {
                let batch = store.read_all(after, REBUILD_BATCH).await?;
                Decoded::new(&codec, batch)
            })
        };
        let joined = |r: Result<Result<Decoded, ReadError>, tokio::task::JoinError>| {
            r.map_err(|e| ReadError::Worker(e.to_string()))?
        };
        let mut read = 0u64;
        let mut next = joined(fetch(Position::START).await);
        loop {
            let decoded = next?;
            let Some(last) = decoded.batch.last() else {
                break;
            };
            read += decoded.batch.len() as u64;
            let following = fetch(last.position);
            let applied = self.apply_batch(&mut feeds, &decoded.items()).await;
            if !matches!(applied, Ok(true)) {
                following.abort();
            }
            if !applied? {
                return Err(raced());
            }
            next = joined(following.await);
        }
        if !self.settle(&mut feeds).await? {
            return Err(raced());
        }
        // The rebuilt tables were filled without their indexes: create them, one transaction
        // each (on SQLite a live server's writes wait meanwhile), then switch.
        for feed in &feeds {
            for sql in statements(
                feed.status.projection,
                feed.status.generation,
                Statements::IndexesOnly,
            ) {
                let mut tx = self.db.begin_write().await?;
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        let mut tx = self.db.begin_write().await?;
        for feed in &feeds {
            sqlx::query("UPDATE rm_active SET generation = $1 WHERE name = $2")
                .bind(feed.status.generation)
                .bind(feed.status.projection.name())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.refresh().await?;
        let generations = feeds
            .iter()
            .map(|f| (f.status.projection, f.status.generation))
            .collect();
        Ok((generations, read))
    }

    /// Drop the generations of `projection` no reader uses (and an interrupted rebuild's
    /// leftovers), then create the next one's tables; returns its number.
    async fn prepare_generation(&self, projection: Projection) -> Result<i64, ReadError> {
        let active: i64 = sqlx::query_scalar("SELECT generation FROM rm_active WHERE name = $1")
            .bind(projection.name())
            .fetch_one(self.db.pool())
            .await?;
        let generations: Vec<i64> =
            sqlx::query_scalar("SELECT generation FROM rm_checkpoints WHERE name = $1")
                .bind(projection.name())
                .fetch_all(self.db.pool())
                .await?;
        let next = generations
            .iter()
            .copied()
            .max()
            .unwrap_or(active)
            .max(active)
            + 1;
        let mut tx = self.db.begin_write().await?;
        self.db.serialize_setup(&mut tx).await?;
        for old in generations.into_iter().filter(|g| *g != active) {
            drop_tables(&mut tx, projection, old).await?;
        }
        create_tables(&mut tx, projection, next, Statements::TablesOnly).await?;
        tx.commit().await?;
        Ok(next)
    }
}

/// One read model's generation being fed: how far it has applied, where its checkpoint is,
/// and what it holds back.
struct Feed {
    /// `position`: the last event applied (written, or held in `carry`).
    status: ProjectionStatus,
    /// The checkpoint in the database: every event up to it is in the tables.
    stored: Position,
    carry: Carry,
    /// Cases held back before writing: 0 for the live runner, which writes every batch.
    hold: usize,
}

impl Feed {
    fn live(status: ProjectionStatus) -> Self {
        Self {
            stored: status.position,
            status,
            carry: Carry::default(),
            hold: 0,
        }
    }
}

/// The lowest position applied over `feeds`.
fn lowest(feeds: &[Feed]) -> Option<Position> {
    feeds.iter().map(|f| f.status.position).min()
}

/// A batch of stored events, decoded once for every read model.
struct Decoded {
    batch: Vec<RecordedEvent>,
    envelopes: Vec<(Envelope, Option<Day>)>,
}

impl Decoded {
    fn new(codec: &Codec<Envelope>, batch: Vec<RecordedEvent>) -> Result<Self, ReadError> {
        let envelopes = batch
            .iter()
            .map(|recorded| Ok((codec.decode(recorded)?, event_day(&recorded.payload))))
            .collect::<Result<Vec<_>, ReadError>>()?;
        Ok(Self { batch, envelopes })
    }

    fn items(&self) -> Vec<Item<'_>> {
        self.batch
            .iter()
            .zip(&self.envelopes)
            .map(|(recorded, (envelope, on))| Item {
                recorded,
                event: &envelope.event,
                personal: &envelope.personal,
                on: *on,
            })
            .collect()
    }
}

/// The day a stored event says it happened, read off its payload's `on` field (the other
/// fields are skipped, not parsed).
pub(crate) fn event_day(payload: &str) -> Option<Day> {
    #[derive(serde::Deserialize)]
    struct On {
        on: Option<Day>,
    }
    serde_json::from_str::<On>(payload).ok()?.on
}

/// `(name = $k AND generation = $k+1) OR ...` for `n` checkpoint rows, after `offset` earlier
/// parameters.
fn checkpoint_rows(offset: usize, n: usize) -> String {
    (0..n)
        .map(|i| {
            let k = offset + 2 * i + 1;
            format!("(name = ${k} AND generation = ${})", k + 1)
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// Which of a table's statements to run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Statements {
    /// Tables and indexes: a generation the live runner fills.
    All,
    /// The tables only: a rebuild fills them first and then indexes them (sorting once is
    /// far cheaper than inserting every row into every index).
    TablesOnly,
    /// The indexes the rebuild left out.
    IndexesOnly,
}

/// Indexes a rebuild's own writes look rows up by, created with the tables: a company's new
/// name is copied to its cases (`WHERE company_id IN ..`).
const NEEDED_WHILE_FILLING: &[&str] = &["CREATE INDEX {t}_company ON"];

/// Whether `statement` creates a secondary index that a rebuild creates last.
fn is_index(statement: &str) -> bool {
    let statement = statement.trim_start();
    (statement.starts_with("CREATE INDEX") || statement.starts_with("CREATE UNIQUE INDEX"))
        && !NEEDED_WHILE_FILLING
            .iter()
            .any(|kept| statement.starts_with(kept))
}

/// The statements of `projection`'s tables for `generation` that `which` asks for.
fn statements(projection: Projection, generation: i64, which: Statements) -> Vec<String> {
    let mut out = Vec::new();
    for table in projection.tables() {
        let name = table.name(generation);
        for statement in table.create {
            let wanted = match which {
                Statements::All => true,
                Statements::TablesOnly => !is_index(statement),
                Statements::IndexesOnly => is_index(statement),
            };
            if wanted {
                out.push(statement.replace("{t}", &name));
            }
        }
    }
    out
}

/// Create `projection`'s tables for `generation` (with their indexes unless `which` says
/// tables only) and its bookkeeping rows at position 0.
async fn create_tables(
    tx: &mut Tx,
    projection: Projection,
    generation: i64,
    which: Statements,
) -> Result<(), ReadError> {
    for sql in statements(projection, generation, which) {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO rm_checkpoints (name, generation, position) VALUES ($1, $2, 0)
         ON CONFLICT (name, generation) DO UPDATE SET position = 0",
    )
    .bind(projection.name())
    .bind(generation)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO rm_schemas (name, generation, statements) VALUES ($1, $2, $3)
         ON CONFLICT (name, generation) DO UPDATE SET statements = $3",
    )
    .bind(projection.name())
    .bind(generation)
    .bind(projection.statements())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn drop_tables(
    tx: &mut Tx,
    projection: Projection,
    generation: i64,
) -> Result<(), ReadError> {
    for table in projection.tables() {
        let sql = format!("DROP TABLE IF EXISTS {}", table.name(generation));
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut **tx)
            .await?;
    }
    for bookkeeping in ["rm_checkpoints", "rm_schemas"] {
        let sql = format!("DELETE FROM {bookkeeping} WHERE name = $1 AND generation = $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(projection.name())
            .bind(generation)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Projection, Statements, checkpoint_rows, statements};

    #[test]
    fn checkpoint_rows_number_two_parameters_per_row_after_the_offset() {
        assert_eq!(
            checkpoint_rows(1, 2),
            "(name = $2 AND generation = $3) OR (name = $4 AND generation = $5)"
        );
        assert_eq!(checkpoint_rows(0, 1), "(name = $1 AND generation = $2)");
    }

    #[test]
    fn a_rebuild_creates_every_statement_once_tables_first() {
        for projection in Projection::ALL {
            let all = statements(projection, 7, Statements::All);
            let tables = statements(projection, 7, Statements::TablesOnly);
            let indexes = statements(projection, 7, Statements::IndexesOnly);
            let mut split: Vec<String> = tables.iter().chain(&indexes).cloned().collect();
            let mut whole = all.clone();
            split.sort();
            whole.sort();
            assert_eq!(split, whole, "{projection:?}");
            assert!(tables.iter().all(|s| s.starts_with("CREATE TABLE")
                || s.starts_with("CREATE INDEX rm_cases_7_company ON")));
        }
        let timeline = statements(Projection::Timeline, 7, Statements::IndexesOnly);
        assert_eq!(timeline.len(), 1);
        assert!(timeline[0].starts_with("CREATE UNIQUE INDEX rm_timeline_7_case"));
    }
}
