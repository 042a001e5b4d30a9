//! Feeding the read models: catch-up, live updates, exactly-once checkpoints and rebuilds.
//!
//! Each read model has an active generation (`rm_active`) and a checkpoint per generation
//! (`rm_checkpoints`). A batch is applied in one transaction that first locks and checks the
//! checkpoint, writes the tables, then moves the checkpoint: a batch counts once or not at all,
//! and several servers on one PostgreSQL may all run the runner (the loser of a race sees the
//! checkpoint moved, rolls back and carries on from the new one).
//!
//! A rebuild creates generation N+1, fills it from position 0 while the server keeps serving
//! and updating N, then switches `rm_active` to N+1; the runner notices the switch and goes on
//! from N+1's checkpoint. Generation N stays until the next rebuild drops it, so a query that
//! started on N finishes on N.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use banso_events::codec::Codec;
use banso_events::domain::event::Envelope;
use banso_events::{EventStore, Position, RecordedEvent, StoreConfig};
use sqlx::Row;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::db::{Dialect, ReadDb};
use crate::error::ReadError;
use crate::projection::{Item, Projection};

/// Events applied per transaction.
const BATCH: usize = 1_000;
/// How often an idle runner looks for a generation switched by a rebuild elsewhere.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// The read models: queries (see the `models` modules) and the machinery that keeps them.
#[derive(Clone)]
pub struct ReadModels {
    pub(crate) db: ReadDb,
    shared: Arc<Shared>,
}

struct Shared {
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
        let db = ReadDb::connect(url).await?;
        let models = Self {
            db,
            shared: Arc::new(Shared {
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

    /// The active generation of `projection`, for queries.
    pub(crate) fn generation(&self, projection: Projection) -> i64 {
        self.shared.generations.read().expect("not poisoned")[projection.index()]
    }

    /// The active table `base` of `projection`.
    pub(crate) fn table(&self, projection: Projection, base: &str) -> String {
        crate::projection::table_name(base, self.generation(projection))
    }

    /// Create generation 1 of `projection` if it has no active generation.
    async fn ensure_active(&self, projection: Projection) -> Result<(), ReadError> {
        let mut tx = self.db.begin_write().await?;
        self.db.serialize_setup(&mut tx).await?;
        let active = sqlx::query("SELECT generation FROM rm_active WHERE name = $1")
            .bind(projection.name())
            .fetch_optional(&mut *tx)
            .await?;
        if active.is_none() {
            create_tables(&mut tx, projection, 1).await?;
            sqlx::query("INSERT INTO rm_active (name, generation) VALUES ($1, 1)")
                .bind(projection.name())
                .execute(&mut *tx)
                .await?;
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
            // then, and otherwise wake on this process's runner.
            let pause = Duration::from_millis(25).min(timeout - waited);
            if tokio::time::timeout(pause, progress.changed())
                .await
                .is_err()
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
            let mut known = self.refresh().await?;
            let low = known
                .iter()
                .map(|s| s.position)
                .min()
                .unwrap_or(Position::START);
            let batch = store.read_all(low, BATCH * 4).await?;
            if batch.is_empty() {
                return Ok(());
            }
            for chunk in batch.chunks(BATCH) {
                for status in known.iter_mut() {
                    if let Applied::Done(position) = self.apply_batch(&codec, status, chunk).await?
                    {
                        status.position = position;
                    }
                }
            }
        }
    }

    /// Catch up, then follow the store.
    async fn run(&self, store: &EventStore, config: &StoreConfig) -> Result<(), ReadError> {
        let codec = Codec::<Envelope>::new();
        loop {
            let status = self.refresh().await?;
            let low = status
                .iter()
                .map(|s| s.position)
                .min()
                .unwrap_or(Position::START);
            let mut subscription = store.subscribe(low, config);
            // Follow from `low` until a batch finds a checkpoint moved by someone else or the
            // idle check sees a generation switch; then read the state again.
            let mut known = status;
            loop {
                let batch = match tokio::time::timeout(IDLE_CHECK, subscription.next_batch()).await
                {
                    Ok(batch) => batch?,
                    Err(_) => {
                        let now = self.status().await?;
                        if now != known {
                            break;
                        }
                        continue;
                    }
                };
                let mut in_step = true;
                for chunk in batch.chunks(BATCH) {
                    for status in known.iter_mut() {
                        match self.apply_batch(&codec, status, chunk).await? {
                            Applied::Done(position) => status.position = position,
                            Applied::Moved => in_step = false,
                        }
                    }
                }
                let low = known.iter().map(|s| s.position).min();
                if let Some(low) = low {
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

    /// Apply the events of `batch` after `status.position` to `status`'s generation.
    async fn apply_batch(
        &self,
        codec: &Codec<Envelope>,
        status: &ProjectionStatus,
        batch: &[RecordedEvent],
    ) -> Result<Applied, ReadError> {
        let fresh: Vec<&RecordedEvent> = batch
            .iter()
            .filter(|e| e.position > status.position)
            .collect();
        let Some(last) = fresh.last() else {
            return Ok(Applied::Done(status.position));
        };
        let last = last.position;
        let decoded = fresh
            .iter()
            .map(|recorded| codec.decode(recorded))
            .collect::<Result<Vec<_>, _>>()?;
        let items: Vec<Item<'_>> = fresh
            .iter()
            .zip(&decoded)
            .map(|(recorded, envelope)| Item {
                recorded,
                event: &envelope.event,
                personal: &envelope.personal,
            })
            .collect();
        let mut tx = self.db.begin_write().await?;
        let lock = match self.db.dialect() {
            Dialect::Sqlite => {
                "SELECT position FROM rm_checkpoints WHERE name = $1 AND generation = $2"
            }
            Dialect::Postgres => {
                "SELECT position FROM rm_checkpoints WHERE name = $1 AND generation = $2 FOR UPDATE"
            }
        };
        let current: Option<i64> = sqlx::query_scalar(lock)
            .bind(status.projection.name())
            .bind(status.generation)
            .fetch_optional(&mut *tx)
            .await?;
        if current != Some(status.position.0 as i64) {
            tx.rollback().await?;
            return Ok(Applied::Moved);
        }
        status
            .projection
            .apply(&mut tx, status.generation, &items)
            .await?;
        sqlx::query("UPDATE rm_checkpoints SET position = $1 WHERE name = $2 AND generation = $3")
            .bind(last.0 as i64)
            .bind(status.projection.name())
            .bind(status.generation)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Applied::Done(last))
    }

    /// Rebuild `projection` from position 0 into a fresh generation and switch readers to it.
    /// Returns the new generation and how many events it applied.
    pub async fn rebuild(
        &self,
        store: &EventStore,
        projection: Projection,
    ) -> Result<(i64, u64), ReadError> {
        let codec = Codec::<Envelope>::new();
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
        // Earlier generations no reader uses any more (and an interrupted rebuild's leftovers).
        for old in generations.into_iter().filter(|g| *g != active) {
            drop_tables(&mut tx, projection, old).await?;
        }
        create_tables(&mut tx, projection, next).await?;
        tx.commit().await?;

        let mut status = ProjectionStatus {
            projection,
            generation: next,
            position: Position::START,
        };
        let mut applied = 0u64;
        loop {
            let batch = store.read_all(status.position, BATCH * 4).await?;
            if batch.is_empty() {
                break;
            }
            for chunk in batch.chunks(BATCH) {
                match self.apply_batch(&codec, &status, chunk).await? {
                    Applied::Done(position) => status.position = position,
                    Applied::Moved => return Err(ReadError::RebuildRaced(projection.name())),
                }
                applied += chunk.len() as u64;
            }
        }
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE rm_active SET generation = $1 WHERE name = $2")
            .bind(next)
            .bind(projection.name())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.refresh().await?;
        Ok((next, applied))
    }
}

enum Applied {
    Done(Position),
    /// Someone else moved the checkpoint: start again from the database's state.
    Moved,
}

async fn create_tables(
    tx: &mut crate::projection::Tx,
    projection: Projection,
    generation: i64,
) -> Result<(), ReadError> {
    for table in projection.tables() {
        let name = table.name(generation);
        for statement in table.create {
            let sql = statement.replace("{t}", &name);
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut **tx)
                .await?;
        }
    }
    sqlx::query(
        "INSERT INTO rm_checkpoints (name, generation, position) VALUES ($1, $2, 0)
         ON CONFLICT (name, generation) DO UPDATE SET position = 0",
    )
    .bind(projection.name())
    .bind(generation)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn drop_tables(
    tx: &mut crate::projection::Tx,
    projection: Projection,
    generation: i64,
) -> Result<(), ReadError> {
    for table in projection.tables() {
        let sql = format!("DROP TABLE IF EXISTS {}", table.name(generation));
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM rm_checkpoints WHERE name = $1 AND generation = $2")
        .bind(projection.name())
        .bind(generation)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
