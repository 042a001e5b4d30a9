//! Typed events on top of stored JSON: encoding, decoding and schema evolution by upcasting.
//!
//! The store keeps payloads as JSON with an event type name and a schema version. A domain
//! describes its events by implementing [`Event`]; a [`Codec`] turns recorded events back into
//! that type, first running the chain of [`Upcaster`]s that lift an old schema version to the
//! current one (v1 → v2 → v3 ...). Nothing is skipped silently: an unknown type, a payload that
//! does not parse, or a missing link in the chain is a [`DecodeError`] naming the position.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::error::DecodeError;
use crate::model::{NewEvent, RecordedEvent};

/// A domain's event type: usually an enum with one variant per event type name.
pub trait Event: Sized {
    /// The current schema version of `event_type`, or `None` if this domain does not know it.
    fn schema_version_of(event_type: &str) -> Option<u32>;

    /// The type name of this event, as stored.
    fn event_type(&self) -> &'static str;

    /// The payload of this event at its current schema version.
    fn to_payload(&self) -> Result<Box<RawValue>, serde_json::Error>;

    /// Parse a payload of a known `event_type` at its current schema version.
    fn from_payload(event_type: &str, payload: &str) -> Result<Self, serde_json::Error>;
}

/// A function that lifts a payload from one schema version to the next.
pub type UpcastFn = fn(Value) -> Result<Value, String>;

/// One link of an upcaster chain: `event_type` at `from_version` becomes `from_version + 1`.
#[derive(Clone, Copy)]
pub struct Upcaster {
    pub event_type: &'static str,
    pub from_version: u32,
    pub upcast: UpcastFn,
}

impl fmt::Debug for Upcaster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Upcaster({} v{} -> v{})",
            self.event_type,
            self.from_version,
            self.from_version + 1
        )
    }
}

/// Encodes and decodes a domain's events, with its upcasters.
pub struct Codec<E> {
    upcasters: HashMap<(&'static str, u32), UpcastFn>,
    _event: std::marker::PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for Codec<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Codec")
            .field("upcasters", &self.upcasters.len())
            .finish()
    }
}

impl<E: Event> Default for Codec<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Event> Codec<E> {
    pub fn new() -> Self {
        Self {
            upcasters: HashMap::new(),
            _event: std::marker::PhantomData,
        }
    }

    /// Add links to the upcaster chain.
    pub fn with_upcasters(mut self, upcasters: impl IntoIterator<Item = Upcaster>) -> Self {
        for u in upcasters {
            self.upcasters
                .insert((u.event_type, u.from_version), u.upcast);
        }
        self
    }

    /// A new event (fresh UUIDv7 id) at the current schema version.
    pub fn encode(&self, event: &E) -> Result<NewEvent, serde_json::Error> {
        let event_type = event.event_type();
        let version = E::schema_version_of(event_type).unwrap_or(1);
        Ok(NewEvent {
            event_id: Uuid::now_v7(),
            event_type: event_type.to_owned(),
            schema_version: version,
            payload: event.to_payload()?,
        })
    }

    /// Turn a recorded event into the domain's type, upcasting old schema versions.
    pub fn decode(&self, recorded: &RecordedEvent) -> Result<E, DecodeError> {
        let event_type = recorded.event_type.as_str();
        let current =
            E::schema_version_of(event_type).ok_or_else(|| DecodeError::UnknownEventType {
                position: recorded.position,
                event_type: event_type.to_owned(),
            })?;
        let stored = recorded.schema_version;
        let corrupt = |source| DecodeError::CorruptPayload {
            position: recorded.position,
            event_type: event_type.to_owned(),
            schema_version: stored,
            source,
        };
        if stored == current {
            return E::from_payload(event_type, &recorded.payload).map_err(corrupt);
        }
        if stored > current {
            return Err(DecodeError::SchemaFromTheFuture {
                position: recorded.position,
                event_type: event_type.to_owned(),
                stored,
                current,
            });
        }
        let mut value: Value = serde_json::from_str(&recorded.payload).map_err(corrupt)?;
        for from in stored..current {
            let upcast = self.upcasters.get(&(event_type, from)).ok_or_else(|| {
                DecodeError::MissingUpcaster {
                    position: recorded.position,
                    event_type: event_type.to_owned(),
                    stored,
                    missing: from,
                }
            })?;
            value = upcast(value).map_err(|reason| DecodeError::UpcastFailed {
                position: recorded.position,
                event_type: event_type.to_owned(),
                from,
                reason,
            })?;
        }
        // The upcast value is re-serialized once so that `from_payload` has a single input form.
        let text = value.to_string();
        E::from_payload(event_type, &text).map_err(corrupt)
    }
}
