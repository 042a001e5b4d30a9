//! Snapshots of folded streams, so that a command on a long stream (a case followed through
//! years of PDCA reviews) reads one row and the few events after it instead of its whole
//! history. The store keeps them (`EventStore::save_snapshots`); [`super::service::Lifecycle`]
//! reads them for the streams it has not folded in memory and saves a new one when a stream
//! has grown by [`EVERY`] events since its last.
//!
//! A snapshot is the JSON of one stream's state (`AgencyState`, `CaseState` ...) and is only
//! ever a cache: events never change, so a snapshot is a true fold of its stream up to its
//! version. What could make one wrong is a new build that folds differently; so each carries
//! [`SHAPE`], and readers ignore snapshots of any other shape. **Changing a state's fields or
//! how it folds an event bumps [`SHAPE`]** (the test below catches changed fields).

use super::directory::Directory;
use super::event::StreamKey;
use super::ids::{AgencyId, CaseId, CompanyId, SupporterId};
use crate::model::{Snapshot, StreamVersion};

/// The layout and fold of the states this build writes and reads.
pub const SHAPE: &str = "2026-11-21";

/// Events after a stream's last snapshot (or its start) before a command saves a new one. A
/// case has a few dozen events in its first year; a snapshot costs one row write.
pub const EVERY: u64 = 10;

/// The snapshot of `key`'s state in `directory`, folded up to `version` (`None` if the
/// directory holds no state of it).
pub fn encode(directory: &Directory, key: StreamKey, version: StreamVersion) -> Option<Snapshot> {
    let state = match key {
        StreamKey::Agency(id) => serde_json::to_string(directory.agencies.get(&id)?),
        StreamKey::Supporter(id) => serde_json::to_string(directory.supporters.get(&id)?),
        StreamKey::Company(id) => serde_json::to_string(directory.companies.get(&id)?),
        StreamKey::Case(id) => serde_json::to_string(directory.cases.get(&id)?),
        StreamKey::Example(id) => serde_json::to_string(directory.examples.get(&id)?),
    };
    Some(Snapshot {
        stream: key.stream_id(),
        version,
        shape: SHAPE.to_owned(),
        state: state.ok()?,
    })
}

/// The stream and its state (as a one-stream directory) of `snapshot`, or why it is unusable
/// (another shape, another stream type, a state that does not parse).
pub fn decode(snapshot: &Snapshot) -> Result<(StreamKey, Directory), String> {
    if snapshot.shape != SHAPE {
        return Err(format!("shape {:?}, not {SHAPE:?}", snapshot.shape));
    }
    let id = snapshot.stream.id;
    let state = snapshot.state.as_str();
    let mut one = Directory::default();
    let parsed = |e: serde_json::Error| format!("state of {}: {e}", snapshot.stream);
    let key = match snapshot.stream.stream_type.as_str() {
        StreamKey::AGENCY => {
            let key = AgencyId(id);
            one.agencies
                .insert(key, serde_json::from_str(state).map_err(parsed)?);
            StreamKey::Agency(key)
        }
        StreamKey::SUPPORTER => {
            let key = SupporterId(id);
            one.supporters
                .insert(key, serde_json::from_str(state).map_err(parsed)?);
            StreamKey::Supporter(key)
        }
        StreamKey::COMPANY => {
            let key = CompanyId(id);
            one.companies
                .insert(key, serde_json::from_str(state).map_err(parsed)?);
            StreamKey::Company(key)
        }
        StreamKey::CASE => {
            let key = CaseId(id);
            one.cases
                .insert(key, serde_json::from_str(state).map_err(parsed)?);
            StreamKey::Case(key)
        }
        StreamKey::EXAMPLE => {
            let key = CaseId(id);
            one.examples
                .insert(key, serde_json::from_str(state).map_err(parsed)?);
            StreamKey::Example(key)
        }
        other => return Err(format!("stream type {other:?}")),
    };
    Ok((key, one))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::domain::state::{
        AgencyState, CaseState, CompanyState, ExampleState, SupporterState,
    };

    fn fields<T: Default + serde::Serialize>() -> Vec<String> {
        match serde_json::to_value(T::default()).unwrap() {
            Value::Object(map) => map.keys().cloned().collect(),
            other => panic!("a state is a JSON object, not {other}"),
        }
    }

    /// A changed field list means snapshots written by older builds no longer fit: bump
    /// `SHAPE`, then update the lists here.
    #[test]
    fn the_states_have_the_fields_their_shape_names() {
        assert_eq!(
            SHAPE, "2026-11-21",
            "update the field lists below with SHAPE"
        );
        assert_eq!(fields::<AgencyState>(), ["id", "kind", "name"]);
        assert_eq!(
            fields::<SupporterState>(),
            ["agency_id", "departed", "id", "role"]
        );
        assert_eq!(
            fields::<CompanyState>(),
            [
                "benchmark_records",
                "founded_year",
                "id",
                "name",
                "statements",
                "statements_case"
            ]
        );
        assert_eq!(
            fields::<CaseState>(),
            [
                "closed",
                "closed_on",
                "company_id",
                "consent",
                "consent_withdrawn",
                "consented_by",
                "cycle",
                "discovered_on",
                "failure_recorded",
                "handovers",
                "holder",
                "id",
                "in_charge",
                "issues",
                "measures",
                "nominated",
                "reviews",
                "self_running_on",
                "start_line_on",
                "team"
            ]
        );
        assert_eq!(
            fields::<ExampleState>(),
            [
                "draft",
                "nominated_side",
                "published_on",
                "status",
                "themes"
            ]
        );
    }
}
