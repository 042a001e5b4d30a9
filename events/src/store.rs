//! The event store as the rest of Banso sees it: one type over both backends, chosen by URL.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use uuid::Uuid;

use crate::append::Limits;
use crate::error::StoreError;
use crate::model::{
    AppendOutcome, AppendRequest, Position, RecordedEvent, Snapshot, StreamId, StreamVersion,
};
use crate::postgres::{PostgresConfig, PostgresStore};
use crate::sqlite::{SqliteConfig, SqliteStore};

/// Settings of the event store.
#[derive(Clone, Debug, Default)]
pub struct StoreConfig {
    pub limits: Limits,
    pub sqlite: SqliteConfig,
    pub postgres: PostgresConfig,
    /// How often an idle subscription looks for new events when nothing woke it.
    pub poll_interval: Option<Duration>,
}

/// Which database holds the events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The event store. Cheap to clone; all clones share one writer and one pool.
///
/// An enum rather than a trait object: the set of backends is closed, the methods are async,
/// and callers get static dispatch without boxing futures.
#[derive(Clone)]
pub enum EventStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            EventStore::Sqlite($s) => $e,
            EventStore::Postgres($s) => $e,
        }
    };
}

const DEFAULT_POLL: Duration = Duration::from_millis(250);

impl EventStore {
    /// Open the store at `url` and apply the embedded migrations: `sqlite://PATH` (the file is
    /// created if missing) or `postgres://USER@HOST:PORT/DB`.
    pub async fn connect(url: &str, config: &StoreConfig) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite(
                SqliteStore::open(url, &config.sqlite, config.limits).await?,
            ))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(
                PostgresStore::connect(url, &config.postgres, config.limits).await?,
            ))
        } else {
            Err(StoreError::UnsupportedUrl { url: redact(url) })
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            EventStore::Sqlite(_) => Backend::Sqlite,
            EventStore::Postgres(_) => Backend::Postgres,
        }
    }

    /// Append events to one or more streams atomically.
    #[tracing::instrument(level = "debug", skip_all, fields(command_id = %request.command_id()))]
    pub async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, StoreError> {
        dispatch!(self, s => s.append(request).await)
    }

    /// Up to `limit` events of `stream` from version `from` on (inclusive), in version order.
    pub async fn read_stream(
        &self,
        stream: &StreamId,
        from: StreamVersion,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        dispatch!(self, s => s.read_stream(stream, from, limit).await)
    }

    /// The events of each stream after its version, all in position order: what a reader that
    /// folded each stream up to that version still has to apply. One round trip for all of
    /// them (per hundred streams).
    pub async fn read_streams_after(
        &self,
        streams: &[(StreamId, StreamVersion)],
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut events = Vec::new();
        for chunk in streams.chunks(crate::model::STREAMS_PER_READ) {
            events.extend(dispatch!(self, s => s.read_streams_after(chunk).await)?);
        }
        if streams.len() > crate::model::STREAMS_PER_READ {
            events.sort_by_key(|e| e.position);
        }
        Ok(events)
    }

    /// The snapshots of `shape` kept for `streams` (streams without one are left out). One
    /// round trip (per hundred streams).
    pub async fn read_snapshots(
        &self,
        streams: &[StreamId],
        shape: &str,
    ) -> Result<Vec<Snapshot>, StoreError> {
        let mut snapshots = Vec::new();
        for chunk in streams.chunks(crate::model::STREAMS_PER_READ) {
            snapshots.extend(dispatch!(self, s => s.read_snapshots(chunk, shape).await)?);
        }
        Ok(snapshots)
    }

    /// Keep `snapshots` for later readers, replacing older ones of their streams. Returns at
    /// once: they are written in the background, and one that fails to be written is only
    /// logged (snapshots are a cache; the events stay the truth). Save a snapshot only of
    /// events already appended.
    pub fn save_snapshots(&self, snapshots: Vec<Snapshot>) {
        dispatch!(self, s => s.save_snapshots(snapshots))
    }

    /// Wait until the snapshots saved before this call are written (or their write failed and
    /// was logged). Commands never need this; tests and tools that read snapshots back do.
    pub async fn flush_snapshots(&self) {
        dispatch!(self, s => s.flush_snapshots().await)
    }

    /// The events a command appended, in position order, if the command is stored: what a
    /// retry of that command gets back without deciding again.
    pub async fn command_events(
        &self,
        command_id: Uuid,
    ) -> Result<Option<Vec<RecordedEvent>>, StoreError> {
        dispatch!(self, s => s.command_events(command_id).await)
    }

    /// The current version of `stream` (0 if it does not exist).
    pub async fn stream_version(&self, stream: &StreamId) -> Result<StreamVersion, StoreError> {
        dispatch!(self, s => s.stream_version(stream).await)
    }

    /// Up to `limit` events after position `after`, in global order. Never returns an event
    /// while an earlier one may still appear, so paging on the last position never skips.
    pub async fn read_all(
        &self,
        after: Position,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        dispatch!(self, s => s.read_all(after, limit).await)
    }

    /// The highest position that readers can see, with every earlier position final.
    pub async fn head(&self) -> Result<Position, StoreError> {
        dispatch!(self, s => s.head().await)
    }

    /// Wait until `position` and everything before it is readable (read your own writes).
    pub async fn wait_for(&self, position: Position, timeout: Duration) -> Result<(), StoreError> {
        let started = Instant::now();
        let mut pause = Duration::from_micros(500);
        loop {
            if self.head().await? >= position {
                return Ok(());
            }
            if started.elapsed() >= timeout {
                return Err(StoreError::WaitTimeout {
                    position,
                    waited_ms: started.elapsed().as_millis(),
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    /// Follow all events after `after`: first those already stored, then new ones as they are
    /// appended. Every event is delivered once, in global order.
    pub fn subscribe(&self, after: Position, config: &StoreConfig) -> Subscription {
        Subscription {
            store: self.clone(),
            after,
            batch: 512,
            buffer: VecDeque::new(),
            wake: self.watch_head(),
            poll: config.poll_interval.unwrap_or(DEFAULT_POLL),
        }
    }

    fn watch_head(&self) -> watch::Receiver<Position> {
        dispatch!(self, s => s.watch_head())
    }

    /// Finish queued appends and release the database.
    pub async fn close(&self) {
        dispatch!(self, s => s.close().await)
    }
}

/// A live, ordered feed of all events after a position.
pub struct Subscription {
    store: EventStore,
    after: Position,
    batch: usize,
    buffer: VecDeque<RecordedEvent>,
    wake: watch::Receiver<Position>,
    poll: Duration,
}

impl Subscription {
    /// The position of the last event handed out.
    pub fn position(&self) -> Position {
        self.after
    }

    /// The next batch of events (at least one), waiting for new appends if there are none.
    pub async fn next_batch(&mut self) -> Result<Vec<RecordedEvent>, StoreError> {
        if !self.buffer.is_empty() {
            let batch: Vec<_> = self.buffer.drain(..).collect();
            return Ok(batch);
        }
        loop {
            // Mark the current head as seen before reading, so that an append landing between
            // the read and the wait still wakes us.
            self.wake.borrow_and_update();
            let events = self.store.read_all(self.after, self.batch).await?;
            if let Some(last) = events.last() {
                self.after = last.position;
                return Ok(events);
            }
            if tokio::time::timeout(self.poll, self.wake.changed())
                .await
                .is_ok_and(|changed| changed.is_err())
            {
                // The store is closing: keep polling at the slow pace rather than spinning.
                tokio::time::sleep(self.poll).await;
            }
        }
    }

    /// The next event, waiting for one if needed.
    pub async fn next(&mut self) -> Result<RecordedEvent, StoreError> {
        if self.buffer.is_empty() {
            let batch = self.next_batch().await?;
            self.buffer.extend(batch);
        }
        Ok(self
            .buffer
            .pop_front()
            .expect("next_batch returns at least one event"))
    }
}

/// A URL without its passwords (`user:password@` and `password=` / `sslpassword=` in the
/// query string), for error messages and logs.
pub fn redact(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut out = match (base.find("://"), base.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &base[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => {
                    format!("{}{}:***{}", &base[..scheme_end + 3], user, &base[at..])
                }
                None => base.to_owned(),
            }
        }
        _ => base.to_owned(),
    };
    if let Some(query) = query {
        out.push('?');
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((key, _))
                    if key.eq_ignore_ascii_case("password")
                        || key.eq_ignore_ascii_case("sslpassword") =>
                {
                    format!("{key}=***")
                }
                _ => param.to_owned(),
            })
            .collect();
        out.push_str(&params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_every_password_form() {
        assert_eq!(
            redact("postgres://banso:hunter2@db:5432/banso"),
            "postgres://banso:***@db:5432/banso"
        );
        assert_eq!(
            redact("postgres://banso@db/banso?password=hunter2&sslmode=require"),
            "postgres://banso@db/banso?password=***&sslmode=require"
        );
        assert_eq!(
            redact("postgres://db/banso?sslpassword=p&options=-c%20search_path%3Dx"),
            "postgres://db/banso?sslpassword=***&options=-c%20search_path%3Dx"
        );
        assert_eq!(
            redact("sqlite://./data/banso.db"),
            "sqlite://./data/banso.db"
        );
    }
}
