//! How the store keeps snapshots (see `domain::snapshot` for what they hold and when the
//! lifecycle takes them). Saving never makes a command wait: [`Pending::push`] puts them in a
//! buffer that a writer drains, on SQLite the append writer inside its next transaction (so a
//! snapshot costs no commit of its own), on PostgreSQL a task of its own. A snapshot lost to a
//! crash or a failed write costs only a longer read later.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::model::{Snapshot, StreamId};

/// Snapshots waiting at most; beyond it new ones are dropped (the writer is far behind).
const MAX_PENDING: usize = 4_096;

/// Snapshots saved and not yet written.
#[derive(Default)]
pub(crate) struct Pending(Mutex<Vec<Snapshot>>);

impl Pending {
    /// Add `snapshots`; true if the buffer was empty, so that the caller wakes its writer.
    pub fn push(&self, snapshots: Vec<Snapshot>) -> bool {
        let mut pending = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let was_empty = pending.is_empty();
        let room = MAX_PENDING.saturating_sub(pending.len());
        if snapshots.len() > room {
            tracing::debug!(dropped = snapshots.len() - room, "snapshot buffer full");
        }
        pending.extend(snapshots.into_iter().take(room));
        was_empty
    }

    /// Everything waiting, the newest snapshot of each stream only (an upsert may touch a row
    /// once per statement on PostgreSQL).
    pub fn take(&self) -> Vec<Snapshot> {
        let all = std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()));
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
}
