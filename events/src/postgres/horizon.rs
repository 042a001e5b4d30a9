//! The read horizon: the highest position below which no event can still appear.
//!
//! On PostgreSQL, positions are drawn from a sequence inside the appending transaction, so a
//! transaction holding position N may commit after one holding N+1. A reader that delivered N+1
//! and then moved its cursor past N would skip N forever. Waiting a while for gaps to fill is
//! not sound (a slow transaction outlives any timeout), so Banso never guesses:
//!
//! 1. Every append takes its transaction id *before* it draws a position
//!    (`PERFORM pg_current_xact_id()` at the top of `banso_append`). Transaction ids are handed
//!    out in increasing order.
//! 2. To advance, a reader first reads how far the sequence has gone (`drawn`), then takes a
//!    fresh transaction id `x` of its own. Every transaction that drew a position `<= drawn` got
//!    its id before that read, hence before `x`.
//! 3. The reader waits until `pg_snapshot_xmin(pg_current_snapshot()) > x`: every transaction
//!    with an id below `x` has then committed or aborted. From then on, every position
//!    `<= drawn` is final: present for good, or a gap for good. `drawn` is the new horizon.
//!
//! The cost is one transaction id per advance (not per read: a reader that is behind the
//! horizon reads without advancing it), and a long-running transaction anywhere in the cluster
//! holds the horizon back — delivery is delayed, never reordered or skipped. NOTIFY only wakes
//! readers; it never decides what they may read.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::error::StoreError;
use crate::model::Position;

#[derive(Default)]
pub(crate) struct Horizon {
    safe: AtomicU64,
    /// A candidate horizon waiting for older transactions: (positions drawn, our xid).
    pending: tokio::sync::Mutex<Option<(u64, i64)>>,
}

impl Horizon {
    /// The horizon as last computed: every position up to it is final.
    pub fn known(&self) -> Position {
        Position(self.safe.load(Ordering::Acquire))
    }

    /// Move the horizon up to every position drawn so far, waiting up to `patience` for the
    /// transactions that may still hold some of them. A transaction that stays open longer
    /// (a slow batch, a held lock) leaves the horizon where it was: the caller reads what is
    /// safe and comes back later; the candidate is kept, so no further xid is spent on it.
    pub async fn advance(&self, pool: &PgPool, patience: Duration) -> Result<Position, StoreError> {
        let started = Instant::now();
        let mut pending = self.pending.lock().await;
        let mut pause = Duration::from_micros(200);
        loop {
            let Some((drawn, mine)) = *pending else {
                let (last_value, is_called): (i64, bool) =
                    sqlx::query_as("SELECT last_value, is_called FROM banso_position_seq")
                        .fetch_one(pool)
                        .await?;
                let drawn = if is_called { last_value as u64 } else { 0 };
                if drawn <= self.safe.load(Ordering::Acquire) {
                    return Ok(self.known());
                }
                let mine: i64 = sqlx::query_scalar("SELECT pg_current_xact_id()::text::bigint")
                    .fetch_one(pool)
                    .await?;
                *pending = Some((drawn, mine));
                continue;
            };
            let oldest_running: i64 =
                sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                    .fetch_one(pool)
                    .await?;
            if oldest_running > mine {
                *pending = None;
                self.safe.fetch_max(drawn, Ordering::AcqRel);
                return Ok(self.known());
            }
            if started.elapsed() >= patience {
                return Ok(self.known());
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }
}
