//! The hand-off from callers to a backend's writer tasks: each backend commits appends in
//! groups, so `append` only validates, queues and waits for its answer.

use std::sync::Mutex;

use tokio::sync::{mpsc, oneshot, watch};

use crate::append::{self, Limits};
use crate::error::StoreError;
use crate::model::{AppendOutcome, AppendRequest, Position};

/// One append waiting for a writer.
pub(crate) struct Job {
    pub request: AppendRequest,
    /// `append::fingerprint` of the request, computed by the caller's task.
    pub fingerprint: [u8; 16],
    pub reply: oneshot::Sender<Result<AppendOutcome, StoreError>>,
}

/// The sending side of the writers' queue; `None` once the store is closed.
pub(crate) struct Queue(Mutex<Option<mpsc::Sender<Job>>>);

impl Queue {
    pub fn new(capacity: usize) -> (Self, mpsc::Receiver<Job>) {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        (Self(Mutex::new(Some(sender))), receiver)
    }

    /// Validate the request, queue it and wait for the writer's answer.
    pub async fn submit(
        &self,
        request: AppendRequest,
        limits: &Limits,
    ) -> Result<AppendOutcome, StoreError> {
        append::validate(&request, limits)?;
        let fingerprint = append::fingerprint(&request);
        let sender = self
            .0
            .lock()
            .expect("queue lock poisoned")
            .clone()
            .ok_or(StoreError::Closed)?;
        let (reply, answer) = oneshot::channel();
        sender
            .send(Job {
                request,
                fingerprint,
                reply,
            })
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Refuse new appends; the writers finish what is queued and stop.
    pub fn close(&self) {
        drop(self.0.lock().expect("queue lock poisoned").take());
    }
}

/// Send every job of a group its answer. Returns the highest position the group wrote, if any.
pub(crate) fn answer(
    jobs: &mut Vec<Job>,
    results: Vec<Result<AppendOutcome, StoreError>>,
) -> Option<Position> {
    let mut last = None;
    for (job, result) in jobs.drain(..).zip(results) {
        if let Ok(outcome) = &result
            && !outcome.duplicate
        {
            last = last.max(Some(outcome.last_position()));
        }
        // A caller that gave up waiting is no reason to stop: its append is stored all the same.
        let _ = job.reply.send(result);
    }
    last
}

/// Move a published head up to `position` (never down), waking its watchers if it moved.
pub(crate) fn raise(head: &watch::Sender<Position>, position: Position) {
    head.send_if_modified(|h| {
        let newer = position > *h;
        if newer {
            *h = position;
        }
        newer
    });
}
