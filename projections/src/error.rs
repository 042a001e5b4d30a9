//! What can go wrong in the read models.

use banso_events::{DecodeError, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("read-model database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not create the read-model directory: {0}")]
    Io(std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A stored read-model document does not parse: the read model needs a rebuild.
    #[error("read model {table} holds an unreadable document: {error}")]
    Document {
        table: String,
        error: serde_json::Error,
    },
    #[error(
        "unknown read model `{0}`; the read models are: directory, cases, timeline, handovers, benchmarks, examples"
    )]
    UnknownProjection(String),
    #[error(
        "another rebuild of {} is writing the same generation; run one rebuild at a time", .0.join(", ")
    )]
    RebuildRaced(Vec<&'static str>),
    /// A pagination cursor that this list did not hand out.
    #[error("the cursor is not one this list handed out; start again without `after`")]
    BadCursor,
    #[error("a worker thread of the read models failed: {0}")]
    Worker(String),
    #[error("the read models did not reach position {position} within {waited_ms} ms")]
    WaitTimeout { position: u64, waited_ms: u128 },
}
