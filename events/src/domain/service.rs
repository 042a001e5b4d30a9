//! Running a command against the store: load what the decision needs, decide, append the
//! events with optimistic concurrency, all under the command's id (a retry gets the first
//! result back, and appends nothing).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use hashlink::LruCache;
use uuid::Uuid;

use super::command::Command;
use super::decide::decide;
use super::directory::{Actor, Context, Directory};
use super::event::{Envelope, StreamKey};
use super::ids::CaseId;
use super::refusal::Refusal;
use super::snapshot;
use super::values::Day;
use crate::codec::Codec;
use crate::error::{DecodeError, StoreError};
use crate::model::{
    AppendRequest, ExpectedVersion, Metadata, NewEvent, Position, StreamId, StreamVersion,
    StreamWritten,
};
use crate::store::EventStore;

/// How many times a command is decided again when another writer got to a stream first. Each
/// round of contention lets at least one writer through, so this bounds the number of
/// supporters writing to one case at the same moment before one of them sees a conflict.
const CONFLICT_RETRIES: usize = 16;
/// Events read per page when loading a stream.
const PAGE: usize = 1_000;

/// Why a command did not produce events.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    /// The domain said no: the supporter's mistake or a rule, with a message to act on.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The store failed, or the client's expected version is stale (`StoreError::Concurrency`).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored event could not be read back.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// One command to run.
#[derive(Debug, Clone)]
pub struct CommandRequest {
    /// The idempotency key: the same id again returns the first result.
    pub command_id: Uuid,
    pub actor: Actor,
    /// Today's date in Japan, for the rules about dates.
    pub today: Day,
    /// The version of the case stream the client decided on, if it wants a stale view to be a
    /// conflict rather than a silent re-decision.
    pub expected_case_version: Option<StreamVersion>,
    pub command: Command,
}

/// What a command appended.
#[derive(Debug, Clone)]
pub struct Executed {
    pub command_id: Uuid,
    /// The events, in position order.
    pub events: Vec<Envelope>,
    /// The global position of each event.
    pub positions: Vec<Position>,
    /// Each stream written, with the versions its events took.
    pub streams: Vec<StreamWritten>,
    /// True when this was a retry of a command already stored: nothing new was appended.
    pub duplicate: bool,
}

impl Executed {
    /// The version a stream reached with this command, if the command wrote to it.
    pub fn version_of(&self, key: StreamKey) -> Option<StreamVersion> {
        let stream = key.stream_id();
        self.streams
            .iter()
            .find(|s| s.stream == stream)
            .map(|s| s.last_version)
    }
}

/// What was loaded for one decision.
#[derive(Debug, Default)]
struct Loaded {
    directory: Directory,
    versions: HashMap<StreamKey, StreamVersion>,
    /// The version of each stream's newest stored snapshot, where one is known.
    snapshots: HashMap<StreamKey, StreamVersion>,
}

/// Streams whose folded state is kept between commands. A kept case with its company takes
/// about 10–20 KB, so this holds a few tens of MB: at 100,000 cases the server peaked at 198 MB
/// of RSS with 2,048, at 237 MB with 8,192. With 1,024 the hot streams of 2,000 busy cases no
/// longer fit and commands got 2.7 times dearer.
const FOLDS_KEPT: usize = 2_048;

/// A stream folded up to a version: a later command on it reads only the events after.
#[derive(Clone, Debug)]
struct Folded {
    version: StreamVersion,
    /// A directory of this stream's state alone.
    state: Directory,
    /// The version of the stream's newest stored snapshot known (0: none).
    snapshot: StreamVersion,
}

/// The domain on a store: loads streams, decides commands, appends their events.
#[derive(Clone)]
pub struct Lifecycle {
    store: EventStore,
    codec: Arc<Codec<Envelope>>,
    /// The recently used streams' folded states, least recently used dropped first.
    folds: Arc<Mutex<LruCache<StreamKey, Folded>>>,
}

impl std::fmt::Debug for Lifecycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lifecycle")
            .field("backend", &self.store.backend())
            .finish()
    }
}

impl Lifecycle {
    pub fn new(store: EventStore) -> Self {
        Self {
            store,
            codec: Arc::new(Codec::new()),
            folds: Arc::new(Mutex::new(LruCache::new(FOLDS_KEPT))),
        }
    }

    pub fn store(&self) -> &EventStore {
        &self.store
    }

    pub fn codec(&self) -> &Codec<Envelope> {
        &self.codec
    }

    /// Every event of one stream, decoded, with the stream's version.
    pub async fn load(
        &self,
        key: StreamKey,
    ) -> Result<(Vec<Envelope>, StreamVersion), ExecuteError> {
        let stream = key.stream_id();
        let mut events = Vec::new();
        let mut version = StreamVersion(0);
        loop {
            let page = self
                .store
                .read_stream(&stream, StreamVersion(version.0 + 1), PAGE)
                .await?;
            for recorded in &page {
                events.push(self.codec.decode(recorded)?);
                version = recorded.version;
            }
            if page.len() < PAGE {
                return Ok((events, version));
            }
        }
    }

    /// Decide `request.command` on fresh state and append its events; a retry of a command
    /// already stored gets the first result back (`duplicate`).
    #[tracing::instrument(skip_all, fields(command_id = %request.command_id))]
    pub async fn execute(&self, request: CommandRequest) -> Result<Executed, ExecuteError> {
        match self.decide_and_append(&request).await {
            Ok(done) => Ok(done),
            // A retry is decided again, on the state its own first run left: the store knows
            // the command id and answers with the first result, or the rules refuse (the
            // measure is already completed), or the case moved on. So an error looks for a
            // first run before it stands; a command that succeeds never pays for the lookup.
            Err(error) => match self.earlier_result(&request).await {
                Ok(Some(done)) => Ok(done),
                Err(lookup @ ExecuteError::Store(StoreError::CommandIdReused { .. })) => {
                    Err(lookup)
                }
                Ok(None) | Err(_) => Err(error),
            },
        }
    }

    async fn decide_and_append(&self, request: &CommandRequest) -> Result<Executed, ExecuteError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let loaded = self.load_for(request).await?;
            let case_key = request.command.case_id().map(StreamKey::Case);
            if let (Some(expected), Some(key)) = (request.expected_case_version, case_key) {
                let actual = loaded
                    .versions
                    .get(&key)
                    .copied()
                    .unwrap_or(StreamVersion(0));
                if actual != expected {
                    return Err(StoreError::Concurrency {
                        stream: key.stream_id(),
                        expected: ExpectedVersion::Exact(expected.0),
                        actual,
                    }
                    .into());
                }
            }
            let ctx = Context {
                actor: request.actor,
                today: request.today,
                directory: &loaded.directory,
            };
            let envelopes = decide(&request.command, &ctx)?;
            let mut loaded = loaded;
            let (append, envelopes) = self.append_request(request, &loaded, envelopes)?;
            match self.store.append(append).await {
                Ok(outcome) if outcome.duplicate => {
                    // A concurrent retry of the same command won: answer with what it stored.
                    return self.earlier_result(request).await?.ok_or_else(|| {
                        ExecuteError::Store(StoreError::CorruptCommandRecord {
                            reason: format!("command {} stored without events", request.command_id),
                        })
                    });
                }
                Ok(outcome) => {
                    self.keep_appended(&mut loaded, &envelopes, &outcome.streams);
                    return Ok(Executed {
                        command_id: request.command_id,
                        events: envelopes,
                        positions: outcome.positions,
                        streams: outcome.streams,
                        duplicate: false,
                    });
                }
                // Someone else wrote first: decide again on their result, unless the client
                // pinned the version it decided on. The kept states of the streams are dropped
                // too: should the store ever be behind them (restored from a backup while the
                // server ran), they would conflict forever.
                Err(StoreError::Concurrency { .. })
                    if attempt <= CONFLICT_RETRIES && request.expected_case_version.is_none() =>
                {
                    tracing::debug!(attempt, "concurrent write; deciding again");
                    self.forget(loaded.versions.keys());
                }
                Err(e) => {
                    if matches!(e, StoreError::Concurrency { .. }) {
                        self.forget(loaded.versions.keys());
                    }
                    return Err(e.into());
                }
            }
        }
    }

    /// What an earlier run of this command id stored, if any. A command id names one person's
    /// command: someone else reusing it gets `CommandIdReused` and learns nothing.
    async fn earlier_result(
        &self,
        request: &CommandRequest,
    ) -> Result<Option<Executed>, ExecuteError> {
        let command_id = request.command_id;
        let Some(recorded) = self.store.command_events(command_id).await? else {
            return Ok(None);
        };
        let actor = match request.actor {
            Actor::Supporter(id) => Some(id.0),
            Actor::Operator => None,
        };
        if recorded.iter().any(|e| e.metadata.actor != actor) {
            return Err(StoreError::CommandIdReused { command_id }.into());
        }
        let events = recorded
            .iter()
            .map(|r| self.codec.decode(r))
            .collect::<Result<_, _>>()?;
        let mut streams: Vec<StreamWritten> = Vec::new();
        for event in &recorded {
            match streams.iter_mut().find(|s| s.stream == event.stream) {
                Some(written) => written.last_version = event.version,
                None => streams.push(StreamWritten {
                    stream: event.stream.clone(),
                    first_version: event.version,
                    last_version: event.version,
                }),
            }
        }
        Ok(Some(Executed {
            command_id,
            events,
            positions: recorded.iter().map(|e| e.position).collect(),
            streams,
            duplicate: true,
        }))
    }

    /// The append for a decision, and the decision's events in the order they are appended
    /// (grouped by stream, streams in the order their first event appears).
    fn append_request(
        &self,
        request: &CommandRequest,
        loaded: &Loaded,
        envelopes: Vec<Envelope>,
    ) -> Result<(AppendRequest, Vec<Envelope>), ExecuteError> {
        let mut metadata = Metadata::for_command(request.command_id);
        if let Actor::Supporter(actor) = request.actor
            && let Some(agency) = loaded.directory.supporter(actor).and_then(|s| s.agency_id)
        {
            metadata = metadata.by(actor.0, agency.0);
        }
        // Streams in the order their first event appears; each at the version it was read at.
        let mut order: Vec<StreamKey> = Vec::new();
        let mut by_stream: HashMap<StreamKey, Vec<(NewEvent, Envelope)>> = HashMap::new();
        for envelope in envelopes {
            let key = envelope.event.stream();
            if !by_stream.contains_key(&key) {
                order.push(key);
            }
            let encoded = self
                .codec
                .encode(&envelope)
                .map_err(|e| StoreError::WriteFailed {
                    reason: format!(
                        "event {} does not serialize: {e}",
                        envelope.event.event_type()
                    ),
                })?;
            by_stream.entry(key).or_default().push((encoded, envelope));
        }
        let mut in_order = Vec::new();
        let mut streams = order.into_iter().map(|key| {
            let version = loaded
                .versions
                .get(&key)
                .copied()
                .unwrap_or(StreamVersion(0));
            let (events, envelopes): (Vec<_>, Vec<_>) = by_stream
                .remove(&key)
                .unwrap_or_default()
                .into_iter()
                .unzip();
            in_order.extend(envelopes);
            (key.stream_id(), ExpectedVersion::Exact(version.0), events)
        });
        let (stream, expected, events) = streams.next().expect("an accepted command has events");
        let mut append = AppendRequest::to_stream(metadata, stream, expected, events);
        for (stream, expected, events) in streams {
            append = append.and_stream(stream, expected, events);
        }
        Ok((append, in_order))
    }

    /// Load the streams the command names, then those they lead to: the named cases' company,
    /// agencies and supporter in charge, the supporters' agencies, the cases through which a
    /// company's statements were recorded.
    ///
    /// Each stream starts from the state an earlier command left in `folds`, and only the
    /// events after it are read: one round trip per round for all streams. The first round
    /// also reads what the kept states lead to, so a command on a case seen before usually
    /// takes one round. A kept state is always a true fold of its stream up to its version
    /// (events never change), so it is never stale, only short of the newest events. A stream
    /// not kept starts from its stored snapshot, if any (see [`snapshot`]).
    async fn load_for(&self, request: &CommandRequest) -> Result<Loaded, ExecuteError> {
        let refs = request.command.references();
        let named_cases: BTreeSet<CaseId> = refs.cases.into_iter().collect();
        let mut wanted: BTreeSet<StreamKey> = BTreeSet::new();
        for &id in &named_cases {
            wanted.insert(StreamKey::Case(id));
            if request.command.is_about_example() {
                wanted.insert(StreamKey::Example(id));
            }
        }
        if let Actor::Supporter(actor) = request.actor {
            wanted.insert(StreamKey::Supporter(actor));
        }
        wanted.extend(refs.supporters.into_iter().map(StreamKey::Supporter));
        wanted.extend(refs.agencies.into_iter().map(StreamKey::Agency));
        wanted.extend(refs.companies.into_iter().map(StreamKey::Company));

        let mut loaded = Loaded::default();
        let mut kept: HashMap<StreamKey, StreamVersion> = HashMap::new();
        // What the kept states lead to, followed in memory as far as they go.
        loop {
            self.take_kept(&mut loaded, &mut kept, &wanted);
            let before = wanted.len();
            wanted.extend(leads_to(&loaded.directory, &named_cases));
            if wanted.len() == before {
                break;
            }
        }
        loop {
            let round: Vec<StreamKey> = wanted
                .iter()
                .filter(|key| !loaded.versions.contains_key(key))
                .copied()
                .collect();
            if round.is_empty() {
                break;
            }
            // Streams not folded in memory start from their stored snapshot, if any.
            let mut from_snapshot: HashMap<StreamKey, StreamVersion> = HashMap::new();
            let unknown: Vec<StreamId> = round
                .iter()
                .filter(|key| !kept.contains_key(key))
                .map(|key| key.stream_id())
                .collect();
            for stored in self.store.read_snapshots(&unknown, snapshot::SHAPE).await? {
                match snapshot::decode(&stored) {
                    Ok((key, state)) if round.contains(&key) => {
                        loaded.directory.absorb(state);
                        from_snapshot.insert(key, stored.version);
                        loaded.snapshots.insert(key, stored.version);
                    }
                    Ok(_) => {}
                    Err(why) => {
                        tracing::warn!(stream = %stored.stream, %why, "ignoring a snapshot");
                    }
                }
            }
            let after: Vec<(StreamId, StreamVersion)> = round
                .iter()
                .map(|key| {
                    let start = from_snapshot.get(key).or_else(|| kept.get(key));
                    let version = start.copied().unwrap_or(StreamVersion(0));
                    (key.stream_id(), version)
                })
                .collect();
            for (key, (_, version)) in round.iter().zip(&after) {
                loaded.versions.insert(*key, *version);
            }
            for recorded in self.store.read_streams_after(&after).await? {
                let envelope = self.codec.decode(&recorded)?;
                loaded.directory.apply(&envelope.event);
                loaded
                    .versions
                    .insert(envelope.event.stream(), recorded.version);
            }
            self.save_due(&mut loaded, &round);
            let newer = |key: &&StreamKey| {
                let version = loaded.versions[*key];
                version.0 > 0 && kept.get(*key) != Some(&version)
            };
            self.keep(
                &loaded,
                round
                    .iter()
                    .filter(newer)
                    .map(|key| (*key, loaded.versions[key])),
            );
            wanted.extend(leads_to(&loaded.directory, &named_cases));
            self.take_kept(&mut loaded, &mut kept, &wanted);
        }
        Ok(loaded)
    }

    /// Start each of `wanted` not yet in `loaded` from its kept state, if there is one.
    fn take_kept(
        &self,
        loaded: &mut Loaded,
        kept: &mut HashMap<StreamKey, StreamVersion>,
        wanted: &BTreeSet<StreamKey>,
    ) {
        let mut folds = self.folds.lock().unwrap_or_else(|p| p.into_inner());
        for key in wanted {
            if loaded.versions.contains_key(key) || kept.contains_key(key) {
                continue;
            }
            if let Some(folded) = folds.get(key) {
                loaded.directory.absorb(folded.state.clone());
                kept.insert(*key, folded.version);
                loaded.snapshots.insert(*key, folded.snapshot);
            }
        }
    }

    /// Keep the states `directory` folded for `streams` (each at its version) for later
    /// commands, unless a newer fold of the stream is kept already.
    fn keep(&self, loaded: &Loaded, streams: impl Iterator<Item = (StreamKey, StreamVersion)>) {
        let mut folds = self.folds.lock().unwrap_or_else(|p| p.into_inner());
        for (key, version) in streams {
            if folds.peek(&key).is_some_and(|f| f.version >= version) {
                continue;
            }
            let state = loaded.directory.only(key);
            let snapshot = loaded
                .snapshots
                .get(&key)
                .copied()
                .unwrap_or(StreamVersion(0));
            folds.insert(
                key,
                Folded {
                    version,
                    state,
                    snapshot,
                },
            );
        }
    }

    /// Save a snapshot of each of `streams` that has grown by [`snapshot::EVERY`] events since
    /// its newest stored one (the store writes it in the background).
    fn save_due(&self, loaded: &mut Loaded, streams: &[StreamKey]) {
        let mut due = Vec::new();
        for key in streams {
            let Some(&version) = loaded.versions.get(key) else {
                continue;
            };
            let last = loaded
                .snapshots
                .get(key)
                .copied()
                .unwrap_or(StreamVersion(0));
            if version.0 >= last.0 + snapshot::EVERY
                && let Some(taken) = snapshot::encode(&loaded.directory, *key, version)
            {
                due.push(taken);
                loaded.snapshots.insert(*key, version);
            }
        }
        self.store.save_snapshots(due);
    }

    /// Drop the kept states of `streams`: the next command reads them whole.
    fn forget<'a>(&self, streams: impl Iterator<Item = &'a StreamKey>) {
        let mut folds = self.folds.lock().unwrap_or_else(|p| p.into_inner());
        for key in streams {
            folds.remove(key);
        }
    }

    /// After an append: fold the decision's own events into the states it was decided on and
    /// keep them, so that the next command on these streams reads nothing it already knows.
    fn keep_appended(&self, loaded: &mut Loaded, events: &[Envelope], streams: &[StreamWritten]) {
        for envelope in events {
            loaded.directory.apply(&envelope.event);
        }
        let written: BTreeSet<StreamKey> = events.iter().map(|e| e.event.stream()).collect();
        let mut fresh = Vec::new();
        for key in &written {
            let stream = key.stream_id();
            let Some(w) = streams.iter().find(|w| w.stream == stream) else {
                continue;
            };
            let decided_on = loaded
                .versions
                .get(key)
                .copied()
                .unwrap_or(StreamVersion(0));
            // Only a fold of every event up to the new version may be kept or saved.
            if w.first_version.0 == decided_on.0 + 1 {
                loaded.versions.insert(*key, w.last_version);
                fresh.push(*key);
            }
        }
        self.save_due(loaded, &fresh);
        self.keep(loaded, fresh.iter().map(|key| (*key, loaded.versions[key])));
    }
}

/// The streams the states in `directory` lead to (see [`Lifecycle::load_for`]); the cases
/// among them are followed only if named by the command.
fn leads_to(directory: &Directory, named_cases: &BTreeSet<CaseId>) -> Vec<StreamKey> {
    let mut keys = Vec::new();
    for id in named_cases {
        let Some(case) = directory.case(*id) else {
            continue;
        };
        keys.extend(case.company_id.map(StreamKey::Company));
        keys.extend(case.holder.map(StreamKey::Agency));
        for h in case.handovers.values() {
            keys.push(StreamKey::Agency(h.from_agency));
            keys.push(StreamKey::Agency(h.to_agency));
        }
        // Consent changes judge each team member's agency against the consent.
        keys.extend(case.team.values().map(|m| StreamKey::Agency(m.agency_id)));
        keys.extend(case.consented_by.map(StreamKey::Agency));
        keys.extend(case.in_charge.map(StreamKey::Supporter));
    }
    keys.extend(
        directory
            .supporters
            .values()
            .filter_map(|s| s.agency_id.map(StreamKey::Agency)),
    );
    // Who may correct a year's statements depends on the case that recorded it.
    keys.extend(directory.companies.values().flat_map(|c| {
        c.statements_case
            .values()
            .map(|case| StreamKey::Case(*case))
    }));
    keys
}
