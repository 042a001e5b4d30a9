//! The store's vocabulary: streams, versions, positions, events to append and events recorded.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::RequestError;

/// The kind of a stream: `case`, `company`, `agency`, `supporter` ...
///
/// Lower-case ASCII letters, digits and `_`, 1 to 64 characters, so that it can appear in logs,
/// metrics and SQL literals without quoting surprises.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StreamType(String);

impl StreamType {
    pub const MAX_LEN: usize = 64;

    pub fn new(name: impl Into<String>) -> Result<Self, RequestError> {
        let name = name.into();
        let valid = !name.is_empty()
            && name.len() <= Self::MAX_LEN
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if valid {
            Ok(Self(name))
        } else {
            Err(RequestError::InvalidStreamType { name })
        }
    }

    /// For names read back from the store, which were validated when written.
    pub(crate) fn trusted(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StreamType {
    type Error = RequestError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<StreamType> for String {
    fn from(value: StreamType) -> Self {
        value.0
    }
}

impl fmt::Display for StreamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stream: its type and its UUID. `case/0190c2f0-...`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StreamId {
    pub stream_type: StreamType,
    pub id: Uuid,
}

impl StreamId {
    pub fn new(stream_type: StreamType, id: Uuid) -> Self {
        Self { stream_type, id }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.stream_type, self.id)
    }
}

/// The version of a stream: the number of events in it. The first event of a stream has version 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StreamVersion(pub u64);

impl fmt::Display for StreamVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A place in the global order of all events. Positions start at 1; `Position(0)` means
/// "before the first event". On SQLite positions are gapless; on PostgreSQL an aborted append
/// leaves a gap, which readers pass over safely (see `postgres::horizon`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Position(pub u64);

impl Position {
    pub const START: Position = Position(0);
}

/// A position, version or count as SQL's signed 64-bit integer. Values beyond what it holds
/// read as "after everything" rather than wrapping around to negative.
pub(crate) fn sql_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A stream's folded state at a version, kept so that a reader need not fold the stream from
/// its first event (see `domain::snapshot`). A cache: the events stay the truth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub stream: StreamId,
    /// The version `state` is folded up to.
    pub version: StreamVersion,
    /// The layout and fold of `state`; a reader ignores snapshots of any other shape.
    pub shape: String,
    /// The folded state, as JSON.
    pub state: String,
}

/// The rows of the snapshots of `streams` streams of one shape: stream `i` (from 0) takes the
/// parameters `2i+2` (type) and `2i+3` (id), and the shape is parameter 1, written by `param`.
pub(crate) fn snapshots_sql(streams: usize, param: fn(usize) -> String) -> String {
    let mut sql = format!(
        "SELECT stream_type, stream_id, version, shape, state FROM banso_snapshots \
         WHERE shape = {} AND (",
        param(1)
    );
    for i in 0..streams {
        if i > 0 {
            sql.push_str(" OR ");
        }
        sql.push_str(&format!(
            "(stream_type = {} AND stream_id = {})",
            param(2 * i + 2),
            param(2 * i + 3)
        ));
    }
    sql.push(')');
    sql
}

/// Streams read by one [`streams_after_sql`] query at most (SQLite allows 500 terms in one
/// compound SELECT).
pub(crate) const STREAMS_PER_READ: usize = 100;

/// The events of `streams` streams, each after its own version, in position order: one
/// `select` per stream (a range of the stream's index) joined by `UNION ALL`. Stream `i`
/// (from 0) takes the parameters `3i+1` (type), `3i+2` (id) and `3i+3` (version), written by
/// `param`.
pub(crate) fn streams_after_sql(
    select: &str,
    streams: usize,
    param: fn(usize) -> String,
) -> String {
    let mut sql = String::new();
    for i in 0..streams {
        if i > 0 {
            sql.push_str(" UNION ALL ");
        }
        let n = 3 * i;
        sql.push_str(&format!(
            "{select} WHERE stream_type = {} AND stream_id = {} AND version > {}",
            param(n + 1),
            param(n + 2),
            param(n + 3)
        ));
    }
    sql.push_str(" ORDER BY position");
    sql
}

/// A row limit as SQL's signed 64-bit integer.
pub(crate) fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What the writer believes about a stream before appending to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// Append whatever the stream holds.
    Any,
    /// The stream must not exist yet (it is being created).
    NoStream,
    /// The stream must already hold at least one event.
    StreamExists,
    /// The stream must hold exactly this many events (`Exact(0)` is the same as `NoStream`).
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream whose current version is `actual` satisfies this expectation.
    pub fn accepts(self, actual: StreamVersion) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual.0 == 0,
            ExpectedVersion::StreamExists => actual.0 > 0,
            ExpectedVersion::Exact(n) => actual.0 == n,
        }
    }

    /// The compact code used by the SQL side: -1 any, -2 no stream, -3 stream exists, n exact.
    pub(crate) fn code(self) -> i64 {
        match self {
            ExpectedVersion::Any => -1,
            ExpectedVersion::NoStream => -2,
            ExpectedVersion::StreamExists => -3,
            ExpectedVersion::Exact(n) => n as i64,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::StreamExists => f.write_str("an existing stream"),
            ExpectedVersion::Exact(n) => write!(f, "version {n}"),
        }
    }
}

/// Who did it and why: recorded with every event of one append.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// The supporter who issued the command (none for system actions such as imports).
    pub actor: Option<Uuid>,
    /// The agency on whose behalf the actor acted.
    pub agency: Option<Uuid>,
    /// The command that produced the events: the idempotency key of the append.
    pub command_id: Uuid,
    /// The conversation or workflow the command belongs to.
    pub correlation_id: Uuid,
    /// The event or command that caused this one, if any.
    pub causation_id: Option<Uuid>,
}

impl Metadata {
    /// Metadata for a new command that starts its own correlation.
    pub fn for_command(command_id: Uuid) -> Self {
        Self {
            actor: None,
            agency: None,
            command_id,
            correlation_id: command_id,
            causation_id: None,
        }
    }

    pub fn by(mut self, actor: Uuid, agency: Uuid) -> Self {
        self.actor = Some(actor);
        self.agency = Some(agency);
        self
    }
}

/// An event to be appended.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// A UUIDv7 chosen by the writer; the store never holds the same event id twice.
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    /// The JSON payload. `RawValue` guarantees it is well-formed JSON.
    pub payload: Box<RawValue>,
}

impl NewEvent {
    /// A new event with a fresh UUIDv7 id.
    pub fn new(event_type: impl Into<String>, schema_version: u32, payload: Box<RawValue>) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            event_type: event_type.into(),
            schema_version,
            payload,
        }
    }

    /// A new event whose payload is `value` serialized as JSON.
    pub fn json<T: Serialize + ?Sized>(
        event_type: impl Into<String>,
        schema_version: u32,
        value: &T,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self::new(
            event_type,
            schema_version,
            serde_json::value::to_raw_value(value)?,
        ))
    }
}

/// The events for one stream within an append.
#[derive(Clone, Debug)]
pub struct StreamAppend {
    pub stream: StreamId,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
}

/// One atomic append: events for one or more streams, all written or none.
#[derive(Clone, Debug)]
pub struct AppendRequest {
    pub metadata: Metadata,
    pub streams: Vec<StreamAppend>,
}

impl AppendRequest {
    /// An append to a single stream.
    pub fn to_stream(
        metadata: Metadata,
        stream: StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Self {
        Self {
            metadata,
            streams: vec![StreamAppend {
                stream,
                expected,
                events,
            }],
        }
    }

    /// Another stream in the same atomic append.
    pub fn and_stream(
        mut self,
        stream: StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Self {
        self.streams.push(StreamAppend {
            stream,
            expected,
            events,
        });
        self
    }

    pub fn command_id(&self) -> Uuid {
        self.metadata.command_id
    }

    pub fn event_count(&self) -> usize {
        self.streams.iter().map(|s| s.events.len()).sum()
    }

    pub(crate) fn events(&self) -> impl Iterator<Item = (usize, &StreamAppend, &NewEvent)> {
        self.streams
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.events.iter().map(move |e| (i, s, e)))
    }
}

/// What one stream received in an append.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamWritten {
    pub stream: StreamId,
    /// The version of the stream's first new event.
    pub first_version: StreamVersion,
    /// The stream's version after the append.
    pub last_version: StreamVersion,
}

/// The result of an append. A retried command gets the result of its first attempt, with
/// `duplicate` set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendOutcome {
    pub command_id: Uuid,
    /// The global position of each event, in the order of the request.
    pub positions: Vec<Position>,
    /// Per stream, in the order of the request.
    pub streams: Vec<StreamWritten>,
    /// True when nothing was written because the command (or its events) had been stored before.
    #[serde(skip)]
    pub duplicate: bool,
}

impl AppendOutcome {
    /// The highest position written: wait for it to read your own writes from a read model.
    pub fn last_position(&self) -> Position {
        self.positions.iter().copied().max().unwrap_or_default()
    }

    /// The version of `stream` after the append, if the append wrote to it.
    pub fn version_of(&self, stream: &StreamId) -> Option<StreamVersion> {
        self.streams
            .iter()
            .find(|s| &s.stream == stream)
            .map(|s| s.last_version)
    }
}

/// An event as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedEvent {
    pub position: Position,
    pub stream: StreamId,
    pub version: StreamVersion,
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    /// The payload as stored, not yet parsed: parsing (and upcasting) is the codec's job.
    pub payload: String,
    pub metadata: Metadata,
    pub recorded_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    #[test]
    fn streams_after_sql_numbers_three_parameters_per_stream() {
        let sql = super::streams_after_sql("SELECT * FROM e", 2, |n| format!("${n}"));
        assert_eq!(
            sql,
            "SELECT * FROM e WHERE stream_type = $1 AND stream_id = $2 AND version > $3 \
             UNION ALL SELECT * FROM e WHERE stream_type = $4 AND stream_id = $5 AND version > $6 \
             ORDER BY position"
        );
    }
}
