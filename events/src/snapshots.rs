//! How the store keeps snapshots (see `domain::snapshot` for what they hold and when the
//! lifecycle takes them). Saving never makes a command wait: [`Pending::push`] puts them in a
//! buffer that a writer drains, on SQLite the append writer inside its next transaction (so a
//! snapshot costs no commit of its own), on PostgreSQL a task of its own. A snapshot lost to a
//! crash or a failed write costs only a longer read later.
//!
//! [`Pending::settled`] lets a caller wait until what was saved before it has been written
//! (`EventStore::flush_snapshots`): every push counts, and a writer that has taken and
//! written (or failed to write) the buffer marks its count done.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::watch;

use crate::model::{Snapshot, StreamId, StreamType, StreamVersion};

/// Snapshots waiting at most; beyond it new ones are dropped (the writer is far behind).
const MAX_PENDING: usize = 4_096;

/// Snapshots saved and not yet written.
pub(crate) struct Pending {
    buffer: Mutex<Buffer>,
    /// The count of pushes whose snapshots are written (or their write failed).
    done: watch::Sender<u64>,
}

#[derive(Default)]
struct Buffer {
    snapshots: Vec<Snapshot>,
    /// Pushes so far.
    pushed: u64,
    /// Pushes whose snapshots a writer has taken.
    taken: u64,
}

impl Default for Pending {
    fn default() -> Self {
        Self {
            buffer: Mutex::default(),
            done: watch::channel(0).0,
        }
    }
}

impl Pending {
    fn buffer(&self) -> std::sync::MutexGuard<'_, Buffer> {
        self.buffer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Add `snapshots`; true if the buffer was empty, so that the caller wakes its writer.
    pub fn push(&self, snapshots: Vec<Snapshot>) -> bool {
        let mut buffer = self.buffer();
        let was_empty = buffer.snapshots.is_empty();
        let room = MAX_PENDING.saturating_sub(buffer.snapshots.len());
        if snapshots.len() > room {
            tracing::debug!(dropped = snapshots.len() - room, "snapshot buffer full");
        }
        buffer.snapshots.extend(snapshots.into_iter().take(room));
        buffer.pushed += 1;
        was_empty
    }

    /// Everything waiting, the newest snapshot of each stream only (an upsert may touch a row
    /// once per statement on PostgreSQL). The writer calls [`Self::written`] once it has
    /// written them (or failed to).
    pub fn take(&self) -> Vec<Snapshot> {
        let all = {
            let mut buffer = self.buffer();
            buffer.taken = buffer.pushed;
            std::mem::take(&mut buffer.snapshots)
        };
        let mut newest: HashMap<StreamId, Snapshot> = HashMap::with_capacity(all.len());
        for snapshot in all {
            match newest.get(&snapshot.stream) {
                Some(kept) if kept.version >= snapshot.version => {}
                _ => {
                    newest.insert(snapshot.stream.clone(), snapshot);
                }
            }
        }
        let mut taken: Vec<Snapshot> = newest.into_values().collect();
        // In key order, so that two writers upserting at once lock rows in the same order.
        taken.sort_by(|a, b| a.stream.cmp(&b.stream));
        taken
    }

    /// What the last [`Self::take`] returned is written, or its write failed (and was logged).
    /// Only one writer takes and writes at a time.
    pub fn written(&self) {
        let taken = self.buffer().taken;
        self.done.send_if_modified(|done| {
            let moved = taken > *done;
            *done = (*done).max(taken);
            moved
        });
    }

    /// Wait until every push made before this call is written. The caller makes sure a writer
    /// will take the buffer (wakes it, or writes itself).
    pub fn settled(&self) -> impl Future<Output = ()> + use<'_> {
        let pushed = self.buffer().pushed;
        let mut done = self.done.subscribe();
        async move {
            // The sender lives as long as `self`, so this only returns once it holds.
            let _ = done.wait_for(|done| *done >= pushed).await;
        }
    }

    /// No writer will come again (the store is closed): waiting for one would never end.
    pub fn close(&self) {
        self.done.send_replace(u64::MAX);
    }
}

/// A row of `model::snapshots_sql`, on either backend.
pub(crate) fn from_row<R: sqlx::Row>(row: &R) -> Result<Snapshot, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> uuid::Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    Ok(Snapshot {
        stream: StreamId::new(
            StreamType::trusted(row.try_get("stream_type")?),
            row.try_get("stream_id")?,
        ),
        version: StreamVersion(row.try_get::<i64, _>("version")? as u64),
        shape: row.try_get("shape")?,
        state: row.try_get("state")?,
    })
}

/// The end of both backends' upserts: a snapshot replaces one of an older version or of another
/// shape, never a newer one (two servers may save the same stream).
macro_rules! replace_older {
    () => {
        " ON CONFLICT (stream_type, stream_id) DO UPDATE SET version = excluded.version, \
         shape = excluded.shape, state = excluded.state \
         WHERE excluded.version > banso_snapshots.version \
            OR excluded.shape <> banso_snapshots.shape"
    };
}
pub(crate) use replace_older;

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::Pending;
    use crate::model::{Snapshot, StreamId, StreamType, StreamVersion};

    fn snapshot(id: u128, version: u64) -> Snapshot {
        Snapshot {
            stream: StreamId::new(StreamType::new("case").unwrap(), Uuid::from_u128(id)),
            version: StreamVersion(version),
            shape: "1".into(),
            state: format!("{{\"v\":{version}}}"),
        }
    }

    #[test]
    fn only_the_newest_snapshot_of_a_stream_is_written() {
        let pending = Pending::default();
        assert!(pending.push(vec![snapshot(1, 10), snapshot(2, 10)]));
        assert!(!pending.push(vec![snapshot(1, 20), snapshot(1, 15)]));
        let mut taken = pending.take();
        taken.sort_by_key(|s| s.stream.id);
        assert_eq!(taken, vec![snapshot(1, 20), snapshot(2, 10)]);
        assert!(pending.take().is_empty());
    }

    #[tokio::test]
    async fn settled_waits_for_every_push_before_it_to_be_written() {
        let pending = Pending::default();
        // Nothing pushed: settled at once.
        pending.settled().await;
        pending.push(vec![snapshot(1, 10)]);
        let waiting = pending.settled();
        tokio::pin!(waiting);
        assert!(futures_poll_once(waiting.as_mut()).await.is_none());
        // Taken but not written yet: still waiting.
        let taken = pending.take();
        assert_eq!(taken.len(), 1);
        assert!(futures_poll_once(waiting.as_mut()).await.is_none());
        // A push after the take is not in this write.
        pending.push(vec![snapshot(2, 10)]);
        pending.written();
        assert!(futures_poll_once(waiting.as_mut()).await.is_some());
        let later = pending.settled();
        tokio::pin!(later);
        assert!(futures_poll_once(later.as_mut()).await.is_none());
        pending.take();
        pending.written();
        assert!(futures_poll_once(later.as_mut()).await.is_some());
    }

    /// Poll `future` once: `Some` if it finished.
    async fn futures_poll_once<F: std::future::Future + Unpin>(future: F) -> Option<F::Output> {
        let mut future = future;
        std::future::poll_fn(|cx| {
            std::task::Poll::Ready(match std::pin::Pin::new(&mut future).poll(cx) {
                std::task::Poll::Ready(out) => Some(out),
                std::task::Poll::Pending => None,
            })
        })
        .await
    }
}
