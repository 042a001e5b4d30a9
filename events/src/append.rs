//! What both backends do the same way for an append: check the request, fingerprint it for
//! idempotency, and encode the result that a retried command gets back.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;
use xxhash_rust::xxh3::Xxh3;

use crate::error::{RequestError, StoreError};
use crate::model::{AppendOutcome, AppendRequest, Position, StreamVersion, StreamWritten};

/// Limits on what one append may carry.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest payload of one event, in bytes of JSON.
    pub max_payload_bytes: usize,
    /// The most events one append may write.
    pub max_events_per_append: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_payload_bytes: 256 * 1024,
            max_events_per_append: 1_000,
        }
    }
}

/// Refuse a malformed request before it reaches the database.
pub(crate) fn validate(request: &AppendRequest, limits: &Limits) -> Result<(), RequestError> {
    if request.streams.is_empty() {
        return Err(RequestError::Empty);
    }
    let count = request.event_count();
    if count > limits.max_events_per_append {
        return Err(RequestError::TooManyEvents {
            count,
            limit: limits.max_events_per_append,
        });
    }
    let mut streams = HashSet::with_capacity(request.streams.len());
    for s in &request.streams {
        if s.events.is_empty() {
            return Err(RequestError::NoEvents {
                stream: s.stream.clone(),
            });
        }
        if !streams.insert(&s.stream) {
            return Err(RequestError::RepeatedStream {
                stream: s.stream.clone(),
            });
        }
        if let crate::ExpectedVersion::Exact(n) = s.expected
            && n > i64::MAX as u64 / 2
        {
            return Err(RequestError::VersionOutOfRange { expected: n });
        }
    }
    let mut ids = HashSet::with_capacity(count);
    for (index, (_, _, e)) in request.events().enumerate() {
        if !valid_event_type(&e.event_type) {
            return Err(RequestError::InvalidEventType {
                name: e.event_type.clone(),
            });
        }
        if e.schema_version == 0 || e.schema_version > i32::MAX as u32 {
            return Err(RequestError::InvalidSchemaVersion {
                event_type: e.event_type.clone(),
            });
        }
        let size = e.payload.get().len();
        if size > limits.max_payload_bytes {
            return Err(RequestError::PayloadTooLarge {
                index,
                event_type: e.event_type.clone(),
                size,
                limit: limits.max_payload_bytes,
            });
        }
        // PostgreSQL's jsonb cannot hold the NUL character; refuse it on both backends alike.
        if e.payload.get().contains("\\u0000") {
            return Err(RequestError::NulInPayload {
                index,
                event_type: e.event_type.clone(),
            });
        }
        if !ids.insert(e.event_id) {
            return Err(RequestError::RepeatedEventId {
                event_id: e.event_id,
            });
        }
    }
    Ok(())
}

fn valid_event_type(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A hash of what an append means: its streams, expectations, actor and events (but not the
/// event ids, which a retrying client may have regenerated). A retry with the same command id
/// must carry the same fingerprint; otherwise the command id was reused by mistake.
pub(crate) fn fingerprint(request: &AppendRequest) -> [u8; 16] {
    let mut h = Xxh3::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    let uuid_or_nil = |u: Option<Uuid>| u.unwrap_or(Uuid::nil()).into_bytes();
    field(&uuid_or_nil(request.metadata.actor));
    field(&uuid_or_nil(request.metadata.agency));
    for s in &request.streams {
        field(s.stream.stream_type.as_str().as_bytes());
        field(s.stream.id.as_bytes());
        field(&s.expected.code().to_le_bytes());
        field(&(s.events.len() as u64).to_le_bytes());
        for e in &s.events {
            field(e.event_type.as_bytes());
            field(&e.schema_version.to_le_bytes());
            field(e.payload.get().as_bytes());
        }
    }
    h.digest128().to_le_bytes()
}

/// The result of an append as stored with its command, so that a retry gets it back.
#[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
pub(crate) struct StoredResult {
    /// Positions of the events, in request order.
    #[serde(rename = "p")]
    pub positions: Vec<u64>,
    /// Version of each stream before the append, in request order.
    #[serde(rename = "b")]
    pub base_versions: Vec<u64>,
}

impl StoredResult {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a struct of integer vectors always serializes")
    }

    pub fn parse(text: &str) -> Result<Self, StoreError> {
        serde_json::from_str(text).map_err(|e| StoreError::CorruptCommandRecord {
            reason: format!("result {text:?} does not parse: {e}"),
        })
    }

    /// The outcome for `request`, which has the same shape as the append that stored this.
    pub fn outcome(&self, request: &AppendRequest, duplicate: bool) -> AppendOutcome {
        AppendOutcome {
            command_id: request.command_id(),
            positions: self.positions.iter().map(|&p| Position(p)).collect(),
            streams: request
                .streams
                .iter()
                .zip(&self.base_versions)
                .map(|(s, &base)| StreamWritten {
                    stream: s.stream.clone(),
                    first_version: StreamVersion(base + 1),
                    last_version: StreamVersion(base + s.events.len() as u64),
                })
                .collect(),
            duplicate,
        }
    }
}

/// What a backend found when it looked up a command id that is already stored.
pub(crate) fn replay_stored(
    request: &AppendRequest,
    request_fingerprint: &[u8; 16],
    stored_fingerprint: &[u8],
    stored_result: &str,
) -> Result<AppendOutcome, StoreError> {
    if stored_fingerprint != request_fingerprint {
        return Err(StoreError::CommandIdReused {
            command_id: request.command_id(),
        });
    }
    Ok(StoredResult::parse(stored_result)?.outcome(request, true))
}

/// Which earlier append stored the event ids of a request. `found` holds (event id, command
/// id) for the ids already in the store: none means a new append (`None`); all of them from one
/// append means a retry of it; anything else is a clash.
pub(crate) fn earlier_append_of(
    ids: &[Uuid],
    found: &[(Uuid, Uuid)],
) -> Result<Option<Uuid>, StoreError> {
    let Some(&(first_id, command)) = found.first() else {
        return Ok(None);
    };
    if found.len() != ids.len() || found.iter().any(|&(_, c)| c != command) {
        return Err(StoreError::DuplicateEventId { event_id: first_id });
    }
    Ok(Some(command))
}

/// The answer to a retry that reused the event ids of `command`: its stored result, if it
/// stored the same content.
pub(crate) fn replay_by_event_ids(
    request: &AppendRequest,
    request_fingerprint: &[u8; 16],
    command: Uuid,
    ids: &[Uuid],
    stored: Option<(Vec<u8>, String)>,
) -> Result<AppendOutcome, StoreError> {
    let clash = || StoreError::DuplicateEventId { event_id: ids[0] };
    let Some((fingerprint, result)) = stored else {
        return Err(clash());
    };
    if fingerprint != request_fingerprint {
        return Err(clash());
    }
    let mut outcome = StoredResult::parse(&result)?.outcome(request, true);
    outcome.command_id = command;
    Ok(outcome)
}

/// What to do with one append of a group, decided in memory from what the store holds.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// Write it; `bases` are its streams' versions before it.
    Accept { bases: Vec<u64> },
    /// Nothing to write: a retry answered from the store, or a reused command id.
    Answer(Result<AppendOutcome, StoreError>),
    /// The same command id as the accepted append at this index of the group: a retry racing
    /// its first attempt. It gets that append's outcome once known.
    SameAs(usize),
    /// A stream is not at the expected version. It may still be a retry by event ids of an
    /// append already stored, which the caller checks before reporting the conflict.
    Conflict(StoreError),
}

/// Decide a group of appends in order, as if each were applied after the one before.
///
/// `stored` holds the command ids of the group already in the store, with their fingerprint and
/// result; `versions` holds each stream's current version (a stream missing from it counts as
/// new: should the store hold it after all, the insert fails on the unique index and the caller
/// falls back to appending one by one) and is updated as appends are accepted.
pub(crate) fn decide_group<'a>(
    group: impl IntoIterator<Item = (&'a AppendRequest, &'a [u8; 16])>,
    stored: &std::collections::HashMap<Uuid, (Vec<u8>, String)>,
    versions: &mut std::collections::HashMap<&'a crate::StreamId, u64>,
) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    let mut accepted: std::collections::HashMap<Uuid, (usize, &[u8; 16])> =
        std::collections::HashMap::new();
    for (request, fingerprint) in group {
        let index = verdicts.len();
        if let Some((stored_fingerprint, result)) = stored.get(&request.command_id()) {
            verdicts.push(Verdict::Answer(replay_stored(
                request,
                fingerprint,
                stored_fingerprint,
                result,
            )));
            continue;
        }
        if let Some(&(first, first_fingerprint)) = accepted.get(&request.command_id()) {
            verdicts.push(if first_fingerprint == fingerprint {
                Verdict::SameAs(first)
            } else {
                Verdict::Answer(Err(StoreError::CommandIdReused {
                    command_id: request.command_id(),
                }))
            });
            continue;
        }
        let mut bases = Vec::with_capacity(request.streams.len());
        let mut conflict = None;
        for s in &request.streams {
            let actual = StreamVersion(versions.get(&s.stream).copied().unwrap_or(0));
            if !s.expected.accepts(actual) {
                conflict = Some(StoreError::Concurrency {
                    stream: s.stream.clone(),
                    expected: s.expected,
                    actual,
                });
                break;
            }
            bases.push(actual.0);
        }
        if let Some(conflict) = conflict {
            verdicts.push(Verdict::Conflict(conflict));
            continue;
        }
        for (s, base) in request.streams.iter().zip(&bases) {
            versions.insert(&s.stream, base + s.events.len() as u64);
        }
        accepted.insert(request.command_id(), (index, fingerprint));
        verdicts.push(Verdict::Accept { bases });
    }
    verdicts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ExpectedVersion, Metadata, NewEvent, StreamId, StreamType};

    fn request(payload: &str) -> AppendRequest {
        let stream = StreamId::new(StreamType::new("case").unwrap(), Uuid::now_v7());
        AppendRequest::to_stream(
            Metadata::for_command(Uuid::now_v7()),
            stream,
            ExpectedVersion::NoStream,
            vec![NewEvent::json("CaseOpened", 1, &serde_json::json!({ "名称": payload })).unwrap()],
        )
    }

    #[test]
    fn fingerprint_ignores_event_ids_but_not_content() {
        let a = request("株式会社さくら精工");
        let mut retried = a.clone();
        retried.streams[0].events[0].event_id = Uuid::now_v7();
        assert_eq!(fingerprint(&a), fingerprint(&retried));

        let mut changed = a.clone();
        changed.streams[0].events[0].payload =
            serde_json::value::to_raw_value(&serde_json::json!({ "名称": "別の会社" })).unwrap();
        assert_ne!(fingerprint(&a), fingerprint(&changed));

        let mut other_expectation = a.clone();
        other_expectation.streams[0].expected = ExpectedVersion::Any;
        assert_ne!(fingerprint(&a), fingerprint(&other_expectation));
    }

    #[test]
    fn validation_names_what_to_fix() {
        let limits = Limits::default();
        assert_eq!(validate(&request("ok"), &limits), Ok(()));

        let mut bad_type = request("x");
        bad_type.streams[0].events[0].event_type = "相談 記録".into();
        assert!(matches!(
            validate(&bad_type, &limits),
            Err(RequestError::InvalidEventType { .. })
        ));

        let mut repeated = request("x");
        let dup = repeated.streams[0].events[0].clone();
        repeated.streams[0].events.push(dup);
        assert!(matches!(
            validate(&repeated, &limits),
            Err(RequestError::RepeatedEventId { .. })
        ));

        let mut empty = request("x");
        empty.streams[0].events.clear();
        assert!(matches!(
            validate(&empty, &limits),
            Err(RequestError::NoEvents { .. })
        ));

        let tight = Limits {
            max_payload_bytes: 10,
            ..Limits::default()
        };
        let err = validate(&request("これは十バイトを超える"), &tight).unwrap_err();
        assert!(err.to_string().contains("the limit is 10 bytes"), "{err}");
    }
}
