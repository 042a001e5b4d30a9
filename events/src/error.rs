//! The store's errors: a caller's mistake, a concurrency conflict, or a fault of the database.

use uuid::Uuid;

use crate::model::{ExpectedVersion, Position, StreamId, StreamVersion};

/// Everything an event store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stream was not at the expected version: reload it and decide again.
    #[error("{stream} was expected at {expected} but is at version {actual}")]
    Concurrency {
        stream: StreamId,
        expected: ExpectedVersion,
        actual: StreamVersion,
    },

    /// The command id was used before for a different append.
    #[error(
        "command {command_id} was already used for a different append; \
         a retry must send the same streams and events, a new command needs a new id"
    )]
    CommandIdReused { command_id: Uuid },

    /// An event id is already stored as part of another append.
    #[error(
        "event {event_id} is already stored as part of another append; \
         give each new event a fresh id"
    )]
    DuplicateEventId { event_id: Uuid },

    /// The request itself is malformed; nothing was written.
    #[error(transparent)]
    Request(#[from] RequestError),

    /// The database URL names a backend this build does not know.
    #[error("unsupported database URL {url:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl { url: String },

    /// Applying the embedded migrations failed (the cause is the error's source).
    #[error("could not migrate the event store schema")]
    Migration(#[from] sqlx::migrate::MigrateError),

    /// The database refused the transaction that carried this append; nothing of it is stored.
    #[error("the append was not stored: {reason}")]
    WriteFailed { reason: String },

    /// The writer was shut down before it answered.
    #[error("the event store is shut down")]
    Closed,

    /// A stored row could not be read back (it violates what the store writes).
    #[error("event at position {position} is unreadable: {reason}")]
    CorruptRow { position: Position, reason: String },

    /// A command's idempotency record could not be read back.
    #[error("a stored command record is unreadable: {reason}")]
    CorruptCommandRecord { reason: String },

    /// The caller's deadline passed while waiting for a position to become visible.
    #[error("position {position} was not visible within {waited_ms} ms")]
    WaitTimeout { position: Position, waited_ms: u128 },

    /// Any other database fault.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A malformed append request: what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("an append needs at least one stream with at least one event")]
    Empty,
    #[error("stream {stream} is listed with no events")]
    NoEvents { stream: StreamId },
    #[error("stream {stream} appears twice in one append; put all its events in one entry")]
    RepeatedStream { stream: StreamId },
    #[error("event {event_id} appears twice in one append")]
    RepeatedEventId { event_id: Uuid },
    #[error("stream type {name:?} is invalid: use 1 to 64 lower-case ASCII letters, digits or '_'")]
    InvalidStreamType { name: String },
    #[error("event type {name:?} is invalid: use 1 to 128 ASCII letters, digits, '_', '.' or '-'")]
    InvalidEventType { name: String },
    #[error("event {event_type} has an invalid schema version: use 1 to 2147483647")]
    InvalidSchemaVersion { event_type: String },
    #[error(
        "event #{index} ({event_type}) has the NUL character (\\u0000) in its payload; remove it"
    )]
    NulInPayload { index: usize, event_type: String },
    #[error(
        "event #{index} ({event_type}) has a payload of {size} bytes; the limit is {limit} bytes"
    )]
    PayloadTooLarge {
        index: usize,
        event_type: String,
        size: usize,
        limit: usize,
    },
    #[error("an append of {count} events is too large; the limit is {limit} events")]
    TooManyEvents { count: usize, limit: usize },
    #[error("expected version {expected} is out of range")]
    VersionOutOfRange { expected: u64 },
}

/// Why a recorded event could not be turned into a typed event. Every variant names the
/// event's position and type, so that an operator can find the row.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("event at position {position} has unknown type {event_type:?}")]
    UnknownEventType {
        position: Position,
        event_type: String,
    },
    #[error(
        "event at position {position} ({event_type} v{schema_version}) has a payload that does \
         not parse: {source}"
    )]
    CorruptPayload {
        position: Position,
        event_type: String,
        schema_version: u32,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "event at position {position} ({event_type}) is stored as schema version {stored}, \
         newer than the {current} this build understands"
    )]
    SchemaFromTheFuture {
        position: Position,
        event_type: String,
        stored: u32,
        current: u32,
    },
    #[error(
        "event at position {position} ({event_type}) is stored as schema version {stored} \
         and no upcaster turns version {missing} into {next}",
        next = missing + 1
    )]
    MissingUpcaster {
        position: Position,
        event_type: String,
        stored: u32,
        missing: u32,
    },
    #[error(
        "event at position {position} ({event_type}) could not be upcast from schema version \
         {from}: {reason}"
    )]
    UpcastFailed {
        position: Position,
        event_type: String,
        from: u32,
        reason: String,
    },
}
