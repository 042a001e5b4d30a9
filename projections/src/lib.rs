//! Banso's read models and the runner that feeds them from the event store.

/// The read models, for queries.
#[derive(Clone)]
pub struct ReadModels {}
