//! Banso's events and event store.
//!
//! Every support action in Banso is an event appended to a stream (a case, a company, an
//! agency ...). This crate holds the store those events live in, on SQLite (embedded default)
//! or PostgreSQL (several servers on one database), and the codec that turns stored JSON back
//! into typed events, upcasting old schema versions on the way.
//!
//! Start from [`EventStore`]: [`EventStore::connect`] picks the backend from the URL,
//! [`EventStore::append`] writes with optimistic concurrency and idempotency, and
//! [`EventStore::subscribe`] follows the global order without skipping or repeating.
//!
//! This crate knows nothing about GraphQL, HTTP or configuration files.

mod append;
pub mod codec;
pub mod domain;
pub mod error;
mod migrate;
pub mod model;
pub mod postgres;
mod queue;
mod snapshots;
pub mod sqlite;
mod store;

pub use append::Limits;
pub use codec::{Codec, Event, Upcaster};
pub use error::{DecodeError, RequestError, StoreError};
pub use model::{
    AppendOutcome, AppendRequest, ExpectedVersion, Metadata, NewEvent, Position, RecordedEvent,
    Snapshot, StreamAppend, StreamId, StreamType, StreamVersion, StreamWritten,
};
pub use store::{Backend, EventStore, StoreConfig, Subscription, redact};
