//! The event store suite: every test runs against SQLite and PostgreSQL.

mod support;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use banso_events::{
    AppendRequest, Backend, Codec, DecodeError, EventStore, ExpectedVersion, Metadata, NewEvent,
    Position, RecordedEvent, RequestError, StoreError, StreamVersion, Upcaster,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use support::{Harness, append_to, case, company, note, notes};
use uuid::Uuid;

/// Read every committed event, page by page. On PostgreSQL a read stops at the horizon, which
/// any open transaction in the cluster (another test's, say) may hold back for a while: first
/// wait until the highest committed position is readable, as a caller reading its own writes
/// would.
async fn read_everything(store: &EventStore, page: usize) -> Vec<RecordedEvent> {
    let committed: i64 = match store {
        EventStore::Sqlite(s) => {
            sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM banso_events")
                .fetch_one(s.pool())
                .await
                .unwrap()
        }
        EventStore::Postgres(p) => {
            sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM banso_events")
                .fetch_one(p.pool())
                .await
                .unwrap()
        }
    };
    store
        .wait_for(Position(committed as u64), Duration::from_secs(30))
        .await
        .unwrap();
    let mut all = Vec::new();
    let mut after = Position::START;
    loop {
        let batch = store.read_all(after, page).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = last.position;
        all.extend(batch);
    }
    all
}

both_backends! {
    async fn appended_events_read_back_with_versions_positions_and_metadata(h: Harness) {
        let stream = case();
        let request = append_to(&stream, ExpectedVersion::NoStream, notes(3));
        let metadata = request.metadata.clone();
        let ids: Vec<Uuid> = request.streams[0].events.iter().map(|e| e.event_id).collect();
        let before = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);

        let outcome = h.store.append(request).await.unwrap();
        assert!(!outcome.duplicate);
        assert_eq!(outcome.streams[0].first_version, StreamVersion(1));
        assert_eq!(outcome.streams[0].last_version, StreamVersion(3));
        assert_eq!(outcome.positions.len(), 3);
        assert!(outcome.positions.windows(2).all(|w| w[0] < w[1]));

        let events = h.store.read_stream(&stream, StreamVersion(1), 100).await.unwrap();
        assert_eq!(events.len(), 3);
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e.version, StreamVersion(i as u64 + 1));
            assert_eq!(e.position, outcome.positions[i]);
            assert_eq!(e.event_id, ids[i]);
            assert_eq!(e.stream, stream);
            assert_eq!(e.event_type, "NoteTaken");
            assert_eq!(e.schema_version, 1);
            assert_eq!(e.metadata, metadata);
            assert!(e.recorded_at > before && e.recorded_at <= time::OffsetDateTime::now_utc());
            let payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap();
            assert_eq!(payload["seq"], i + 1);
            assert_eq!(payload["perspective"], "経営者への着目");
        }
        // Reading from a later version returns the tail only.
        let tail = h.store.read_stream(&stream, StreamVersion(3), 100).await.unwrap();
        assert_eq!(tail.len(), 1);
        assert_eq!(h.store.stream_version(&stream).await.unwrap(), StreamVersion(3));
        assert_eq!(h.store.stream_version(&case()).await.unwrap(), StreamVersion(0));
        h.finish().await;
    }
}

both_backends! {
    async fn each_expected_version_is_enforced_with_the_actual_version_in_the_error(h: Harness) {
        let stream = case();
        h.store.append(append_to(&stream, ExpectedVersion::Exact(0), notes(2))).await.unwrap();

        for expected in [ExpectedVersion::NoStream, ExpectedVersion::Exact(1), ExpectedVersion::Exact(3)] {
            match h.store.append(append_to(&stream, expected, notes(1))).await {
                Err(StoreError::Concurrency { stream: s, expected: e, actual }) => {
                    assert_eq!(s, stream);
                    assert_eq!(e, expected);
                    assert_eq!(actual, StreamVersion(2));
                }
                other => panic!("{expected:?}: expected a concurrency error, got {other:?}"),
            }
        }
        let missing = case();
        match h.store.append(append_to(&missing, ExpectedVersion::StreamExists, notes(1))).await {
            Err(e @ StoreError::Concurrency { .. }) => {
                assert!(e.to_string().contains("is at version 0"), "{e}");
            }
            other => panic!("expected a concurrency error, got {other:?}"),
        }

        let ok = h.store.append(append_to(&stream, ExpectedVersion::Exact(2), notes(1))).await.unwrap();
        assert_eq!(ok.streams[0].last_version, StreamVersion(3));
        let ok = h.store.append(append_to(&stream, ExpectedVersion::StreamExists, notes(1))).await.unwrap();
        assert_eq!(ok.streams[0].last_version, StreamVersion(4));
        let ok = h.store.append(append_to(&stream, ExpectedVersion::Any, notes(2))).await.unwrap();
        assert_eq!(ok.streams[0].first_version, StreamVersion(5));
        assert_eq!(ok.streams[0].last_version, StreamVersion(6));
        assert_eq!(read_everything(&h.store, 100).await.len(), 6);
        h.finish().await;
    }
}

both_backends! {
    async fn of_concurrent_appends_at_one_expected_version_exactly_one_wins(h: Harness) {
        let stream = case();
        h.store.append(append_to(&stream, ExpectedVersion::NoStream, notes(1))).await.unwrap();
        let contenders = 24;
        let mut tasks = Vec::new();
        for _ in 0..contenders {
            let store = h.store.clone();
            let request = append_to(&stream, ExpectedVersion::Exact(1), notes(2));
            tasks.push(tokio::spawn(async move { store.append(request).await }));
        }
        let mut won = 0;
        let mut conflicts = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(outcome) => {
                    won += 1;
                    assert_eq!(outcome.streams[0].last_version, StreamVersion(3));
                }
                Err(StoreError::Concurrency { expected, actual, .. }) => {
                    conflicts += 1;
                    assert_eq!(expected, ExpectedVersion::Exact(1));
                    assert_eq!(actual, StreamVersion(3));
                }
                Err(other) => panic!("unexpected error {other}"),
            }
        }
        assert_eq!((won, conflicts), (1, contenders - 1));
        assert_eq!(h.store.stream_version(&stream).await.unwrap(), StreamVersion(3));
        assert_eq!(read_everything(&h.store, 100).await.len(), 3);
        h.finish().await;
    }
}

both_backends! {
    async fn a_conflicting_append_does_not_fail_its_concurrent_neighbours(h: Harness) {
        // Appends land in the same group commit on SQLite; the losers must not take the others
        // down with them.
        let shared = case();
        h.store.append(append_to(&shared, ExpectedVersion::NoStream, notes(1))).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..40 {
            let store = h.store.clone();
            let request = if i % 2 == 0 {
                append_to(&shared, ExpectedVersion::NoStream, notes(1))
            } else {
                append_to(&case(), ExpectedVersion::NoStream, notes(2))
            };
            tasks.push(tokio::spawn(async move { (i, store.append(request).await) }));
        }
        for t in tasks {
            let (i, result) = t.await.unwrap();
            if i % 2 == 0 {
                assert!(matches!(result, Err(StoreError::Concurrency { .. })), "{result:?}");
            } else {
                assert!(result.is_ok(), "{result:?}");
            }
        }
        let all = read_everything(&h.store, 1000).await;
        assert_eq!(all.len(), 1 + 20 * 2);
        if h.store.backend() == Backend::Sqlite {
            // On SQLite positions are gapless even when appends in a group were rolled back.
            let positions: Vec<u64> = all.iter().map(|e| e.position.0).collect();
            assert_eq!(positions, (1..=41).collect::<Vec<_>>());
        }
        h.finish().await;
    }
}

both_backends! {
    async fn an_append_to_several_streams_is_all_or_nothing(h: Harness) {
        let the_case = case();
        let the_company = company();
        h.store.append(append_to(&the_company, ExpectedVersion::NoStream, notes(1))).await.unwrap();

        // The company expectation is wrong: the case must not be created either.
        let bad = append_to(&the_case, ExpectedVersion::NoStream, notes(2))
            .and_stream(the_company.clone(), ExpectedVersion::Exact(5), notes(1));
        match h.store.append(bad).await {
            Err(StoreError::Concurrency { stream, actual, .. }) => {
                assert_eq!(stream, the_company);
                assert_eq!(actual, StreamVersion(1));
            }
            other => panic!("expected a concurrency error, got {other:?}"),
        }
        assert_eq!(h.store.stream_version(&the_case).await.unwrap(), StreamVersion(0));
        assert_eq!(read_everything(&h.store, 100).await.len(), 1);

        let good = append_to(&the_case, ExpectedVersion::NoStream, notes(2))
            .and_stream(the_company.clone(), ExpectedVersion::Exact(1), notes(1));
        let outcome = h.store.append(good).await.unwrap();
        assert_eq!(outcome.version_of(&the_case), Some(StreamVersion(2)));
        assert_eq!(outcome.version_of(&the_company), Some(StreamVersion(2)));
        assert_eq!(outcome.positions.len(), 3);
        let all = read_everything(&h.store, 100).await;
        assert_eq!(all.len(), 4);
        // All events of one append carry the same metadata.
        let commands: HashSet<Uuid> = all[1..].iter().map(|e| e.metadata.command_id).collect();
        assert_eq!(commands.len(), 1);
        h.finish().await;
    }
}

both_backends! {
    async fn retrying_a_command_returns_the_first_result_and_writes_nothing(h: Harness) {
        let stream = case();
        let request = append_to(&stream, ExpectedVersion::NoStream, notes(2));
        let first = h.store.append(request.clone()).await.unwrap();

        let again = h.store.append(request.clone()).await.unwrap();
        assert!(again.duplicate);
        assert_eq!(again.positions, first.positions);
        assert_eq!(again.streams, first.streams);

        // A client that regenerated the event ids on retry is still recognised by command id.
        let mut regenerated = request.clone();
        for e in &mut regenerated.streams[0].events {
            e.event_id = Uuid::now_v7();
        }
        let again = h.store.append(regenerated).await.unwrap();
        assert!(again.duplicate);
        assert_eq!(again.positions, first.positions);

        // The same command id for different content is a mistake, not a retry.
        let mut different = request.clone();
        different.streams[0].events.pop();
        match h.store.append(different).await {
            Err(StoreError::CommandIdReused { command_id }) => {
                assert_eq!(command_id, request.command_id());
            }
            other => panic!("expected CommandIdReused, got {other:?}"),
        }
        assert_eq!(read_everything(&h.store, 100).await.len(), 2);
        assert_eq!(h.store.stream_version(&stream).await.unwrap(), StreamVersion(2));
        h.finish().await;
    }
}

both_backends! {
    async fn retrying_with_the_same_event_ids_under_a_new_command_id_writes_nothing(h: Harness) {
        let stream = case();
        let request = append_to(&stream, ExpectedVersion::NoStream, notes(2));
        let first = h.store.append(request.clone()).await.unwrap();

        let mut retry = request.clone();
        retry.metadata.command_id = Uuid::now_v7();
        let again = h.store.append(retry).await.unwrap();
        assert!(again.duplicate);
        assert_eq!(again.command_id, request.command_id());
        assert_eq!(again.positions, first.positions);

        // One stored event id inside otherwise new events is a clash, and nothing is written.
        let mut clash = append_to(&case(), ExpectedVersion::NoStream, notes(2));
        let taken = request.streams[0].events[1].event_id;
        clash.streams[0].events[1].event_id = taken;
        match h.store.append(clash).await {
            Err(StoreError::DuplicateEventId { event_id }) => assert_eq!(event_id, taken),
            other => panic!("expected DuplicateEventId, got {other:?}"),
        }
        assert_eq!(read_everything(&h.store, 100).await.len(), 2);
        h.finish().await;
    }
}

both_backends! {
    async fn concurrent_retries_of_one_command_store_it_once(h: Harness) {
        let stream = case();
        let request = append_to(&stream, ExpectedVersion::NoStream, notes(3));
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let store = h.store.clone();
            let request = request.clone();
            tasks.push(tokio::spawn(async move { store.append(request).await.unwrap() }));
        }
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        assert_eq!(outcomes.iter().filter(|o| !o.duplicate).count(), 1);
        assert!(outcomes.iter().all(|o| o.positions == outcomes[0].positions));
        assert_eq!(read_everything(&h.store, 100).await.len(), 3);
        h.finish().await;
    }
}

both_backends! {
    async fn reading_all_in_batches_pages_through_every_event_in_order(h: Harness) {
        let mut written = Vec::new();
        for i in 0..17 {
            let stream = case();
            let outcome = h
                .store
                .append(append_to(&stream, ExpectedVersion::NoStream, notes(1 + i % 3)))
                .await
                .unwrap();
            written.extend(outcome.positions);
        }
        let whole = read_everything(&h.store, 10_000).await;
        let paged = read_everything(&h.store, 4).await;
        assert_eq!(whole, paged);
        let positions: Vec<Position> = whole.iter().map(|e| e.position).collect();
        assert_eq!(positions, written);
        // Reading after the last position finds nothing and does not block.
        let after_last = h.store.read_all(*positions.last().unwrap(), 10).await.unwrap();
        assert!(after_last.is_empty());
        h.finish().await;
    }
}

both_backends! {
    async fn a_subscriber_catches_up_then_follows_live_appends(h: Harness) {
        for _ in 0..5 {
            h.store.append(append_to(&case(), ExpectedVersion::NoStream, notes(1))).await.unwrap();
        }
        let mut sub = h.store.subscribe(Position::START, &h.config);
        for _ in 0..5 {
            tokio::time::timeout(Duration::from_secs(10), sub.next()).await.unwrap().unwrap();
        }
        // Nothing more yet: the subscriber waits.
        assert!(tokio::time::timeout(Duration::from_millis(300), sub.next()).await.is_err());

        let late = h.store.append(append_to(&case(), ExpectedVersion::NoStream, notes(3))).await.unwrap();
        for expected in late.positions {
            let e = tokio::time::timeout(Duration::from_secs(10), sub.next()).await.unwrap().unwrap();
            assert_eq!(e.position, expected);
        }
        h.finish().await;
    }
}

both_backends! {
    async fn a_subscriber_sees_every_event_once_in_order_while_many_writers_append(h: Harness) {
        let writers = 16;
        let appends_per_writer = 25;
        let store = h.store.clone();
        let config = h.config.clone();
        let expected_total = Arc::new(std::sync::atomic::AtomicUsize::new(0));

        let mut sub = store.subscribe(Position::START, &config);
        let mut tasks = Vec::new();
        for w in 0..writers {
            let store = store.clone();
            let total = expected_total.clone();
            tasks.push(tokio::spawn(async move {
                let streams: Vec<_> = (0..4).map(|_| case()).collect();
                let mut ids = Vec::new();
                for i in 0..appends_per_writer {
                    let count = 1 + (w + i) % 3;
                    let request = append_to(&streams[i % 4], ExpectedVersion::Any, notes(count));
                    ids.extend(request.streams[0].events.iter().map(|e| e.event_id));
                    store.append(request).await.unwrap();
                    total.fetch_add(count, std::sync::atomic::Ordering::SeqCst);
                }
                ids
            }));
        }

        let mut appended = HashSet::new();
        let collector = tokio::spawn(async move {
            let mut seen = Vec::new();
            let total = (0..writers)
                .flat_map(|w| (0..appends_per_writer).map(move |i| 1 + (w + i) % 3))
                .sum::<usize>();
            while seen.len() < total {
                let batch = tokio::time::timeout(Duration::from_secs(30), sub.next_batch())
                    .await
                    .expect("the subscriber stalled")
                    .unwrap();
                seen.extend(batch);
            }
            // Nothing beyond what was written arrives.
            assert!(tokio::time::timeout(Duration::from_millis(300), sub.next()).await.is_err());
            seen
        });
        for t in tasks {
            appended.extend(t.await.unwrap());
        }
        let seen = collector.await.unwrap();
        assert_eq!(seen.len(), expected_total.load(std::sync::atomic::Ordering::SeqCst));
        assert!(seen.windows(2).all(|w| w[0].position < w[1].position), "out of order");
        let seen_ids: HashSet<Uuid> = seen.iter().map(|e| e.event_id).collect();
        assert_eq!(seen_ids.len(), seen.len(), "an event was delivered twice");
        assert_eq!(seen_ids, appended);
        // Per stream, versions arrive gapless and in order.
        let mut by_stream: std::collections::HashMap<_, Vec<u64>> = Default::default();
        for e in &seen {
            by_stream.entry(e.stream.clone()).or_default().push(e.version.0);
        }
        for versions in by_stream.values() {
            assert_eq!(*versions, (1..=versions.len() as u64).collect::<Vec<_>>());
        }
        h.finish().await;
    }
}

both_backends! {
    async fn waiting_for_a_position_returns_once_it_is_readable_and_times_out_otherwise(h: Harness) {
        let outcome = h.store.append(append_to(&case(), ExpectedVersion::NoStream, notes(2))).await.unwrap();
        h.store.wait_for(outcome.last_position(), Duration::from_secs(10)).await.unwrap();
        let all = h.store.read_all(Position::START, 10).await.unwrap();
        assert_eq!(all.last().unwrap().position, outcome.last_position());

        let far = Position(outcome.last_position().0 + 1_000);
        match h.store.wait_for(far, Duration::from_millis(200)).await {
            Err(StoreError::WaitTimeout { position, .. }) => assert_eq!(position, far),
            other => panic!("expected a timeout, got {other:?}"),
        }
        h.finish().await;
    }
}

both_backends! {
    async fn a_second_server_on_the_same_database_sees_and_respects_the_first(h: Harness) {
        let other = h.second_store().await;
        let stream = case();
        h.store.append(append_to(&stream, ExpectedVersion::NoStream, notes(2))).await.unwrap();
        match other.append(append_to(&stream, ExpectedVersion::NoStream, notes(1))).await {
            Err(StoreError::Concurrency { actual, .. }) => assert_eq!(actual, StreamVersion(2)),
            other => panic!("expected a concurrency error, got {other:?}"),
        }
        let mut sub = other.subscribe(Position::START, &h.config);
        for _ in 0..2 {
            tokio::time::timeout(Duration::from_secs(10), sub.next()).await.unwrap().unwrap();
        }
        let late = h.store.append(append_to(&stream, ExpectedVersion::Exact(2), notes(1))).await.unwrap();
        let e = tokio::time::timeout(Duration::from_secs(10), sub.next()).await.unwrap().unwrap();
        assert_eq!(e.position, late.last_position());
        other.close().await;
        h.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Typed events, upcasting and errors on read

/// The current (version 2) shape of a dialogue record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DialogueLogged {
    note: String,
    duration_minutes: u32,
    confidential: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum TestEvent {
    DialogueLogged(DialogueLogged),
}

impl banso_events::Event for TestEvent {
    fn schema_version_of(event_type: &str) -> Option<u32> {
        match event_type {
            "DialogueLogged" => Some(2),
            _ => None,
        }
    }

    fn event_type(&self) -> &'static str {
        match self {
            TestEvent::DialogueLogged(_) => "DialogueLogged",
        }
    }

    fn to_payload(&self) -> Result<Box<serde_json::value::RawValue>, serde_json::Error> {
        match self {
            TestEvent::DialogueLogged(d) => serde_json::value::to_raw_value(d),
        }
    }

    fn from_payload(event_type: &str, payload: &str) -> Result<Self, serde_json::Error> {
        match event_type {
            "DialogueLogged" => serde_json::from_str(payload).map(TestEvent::DialogueLogged),
            other => unreachable!("schema_version_of does not know {other}"),
        }
    }
}

/// Version 1 called the note `memo` and the duration `minutes`, and had no confidentiality.
fn dialogue_v1_to_v2(mut v: serde_json::Value) -> Result<serde_json::Value, String> {
    let obj = v.as_object_mut().ok_or("payload is not an object")?;
    let memo = obj.remove("memo").ok_or("missing memo")?;
    let minutes = obj.remove("minutes").ok_or("missing minutes")?;
    obj.insert("note".into(), memo);
    obj.insert("duration_minutes".into(), minutes);
    obj.insert("confidential".into(), json!(false));
    Ok(v)
}

fn codec() -> Codec<TestEvent> {
    Codec::new().with_upcasters([Upcaster {
        event_type: "DialogueLogged",
        from_version: 1,
        upcast: dialogue_v1_to_v2,
    }])
}

/// Append one raw event and read it back.
async fn store_raw(h: &Harness, event: NewEvent) -> RecordedEvent {
    let stream = case();
    h.store
        .append(append_to(&stream, ExpectedVersion::NoStream, vec![event]))
        .await
        .unwrap();
    h.store
        .read_stream(&stream, StreamVersion(1), 1)
        .await
        .unwrap()
        .remove(0)
}

both_backends! {
    async fn a_version_1_event_from_the_fixture_reads_as_version_2(h: Harness) {
        #[derive(Deserialize)]
        struct Fixture {
            event_type: String,
            schema_version: u32,
            payload: Box<serde_json::value::RawValue>,
        }
        let fixture: Fixture =
            serde_json::from_str(include_str!("fixtures/dialogue_logged_v1.json")).unwrap();
        assert_eq!(fixture.schema_version, 1);
        let recorded = store_raw(
            &h,
            NewEvent::new(fixture.event_type, fixture.schema_version, fixture.payload),
        )
        .await;
        assert_eq!(recorded.schema_version, 1, "the store keeps what was written");

        let decoded = codec().decode(&recorded).unwrap();
        assert_eq!(
            decoded,
            TestEvent::DialogueLogged(DialogueLogged {
                note: "社長と専務に同席いただき、ローカルベンチマークの4つの視点に沿って聞き取りを行った。".into(),
                duration_minutes: 150,
                confidential: false,
            })
        );

        // A current event round-trips through the codec unchanged.
        let current = TestEvent::DialogueLogged(DialogueLogged {
            note: "秘：資金繰りの詳細".into(),
            duration_minutes: 90,
            confidential: true,
        });
        let recorded = store_raw(&h, codec().encode(&current).unwrap()).await;
        assert_eq!(recorded.schema_version, 2);
        assert_eq!(codec().decode(&recorded).unwrap(), current);

        // Without the upcaster, the missing link is named.
        let bare: Codec<TestEvent> = Codec::new();
        let old = store_raw(
            &h,
            NewEvent::json("DialogueLogged", 1, &json!({"memo": "x", "minutes": 1})).unwrap(),
        )
        .await;
        match bare.decode(&old) {
            Err(e @ DecodeError::MissingUpcaster { .. }) => {
                assert!(e.to_string().contains(&format!("position {}", old.position)), "{e}");
            }
            other => panic!("expected MissingUpcaster, got {other:?}"),
        }
        h.finish().await;
    }
}

both_backends! {
    async fn an_unknown_event_type_is_an_error_naming_its_position_and_type(h: Harness) {
        let recorded = store_raw(&h, NewEvent::json("CaseTeleported", 1, &json!({})).unwrap()).await;
        match codec().decode(&recorded) {
            Err(e @ DecodeError::UnknownEventType { .. }) => {
                let message = e.to_string();
                assert!(message.contains(&format!("position {}", recorded.position)), "{message}");
                assert!(message.contains("CaseTeleported"), "{message}");
            }
            other => panic!("expected UnknownEventType, got {other:?}"),
        }
        h.finish().await;
    }
}

both_backends! {
    async fn a_payload_that_does_not_fit_its_type_is_an_error_naming_its_position(h: Harness) {
        let recorded = store_raw(
            &h,
            NewEvent::json("DialogueLogged", 2, &json!({"note": 42, "duration_minutes": "長い"})).unwrap(),
        )
        .await;
        match codec().decode(&recorded) {
            Err(e @ DecodeError::CorruptPayload { .. }) => {
                let message = e.to_string();
                assert!(message.contains(&format!("position {}", recorded.position)), "{message}");
                assert!(message.contains("DialogueLogged v2"), "{message}");
            }
            other => panic!("expected CorruptPayload, got {other:?}"),
        }
        // An upcaster that cannot make sense of the old payload reports it too.
        let broken = store_raw(&h, NewEvent::json("DialogueLogged", 1, &json!(["not", "an", "object"])).unwrap()).await;
        assert!(matches!(codec().decode(&broken), Err(DecodeError::UpcastFailed { .. })));
        // A schema version newer than this build knows is refused, not guessed at.
        let future = store_raw(&h, NewEvent::json("DialogueLogged", 7, &json!({})).unwrap()).await;
        assert!(matches!(codec().decode(&future), Err(DecodeError::SchemaFromTheFuture { stored: 7, current: 2, .. })));
        h.finish().await;
    }
}

both_backends! {
    async fn oversized_and_malformed_appends_are_refused_with_what_to_fix(h: Harness) {
        let limit = h.config.limits.max_payload_bytes;
        let big = "相".repeat(limit / 3 + 1); // 3 bytes each in UTF-8
        let stream = case();
        let request = append_to(&stream, ExpectedVersion::NoStream, vec![
            note(1),
            NewEvent::json("NoteTaken", 1, &json!({ "note": big })).unwrap(),
        ]);
        match h.store.append(request).await {
            Err(StoreError::Request(e @ RequestError::PayloadTooLarge { index: 1, .. })) => {
                assert!(e.to_string().contains(&format!("the limit is {limit} bytes")), "{e}");
            }
            other => panic!("expected PayloadTooLarge, got {other:?}"),
        }
        let too_many = append_to(&stream, ExpectedVersion::NoStream, notes(h.config.limits.max_events_per_append + 1));
        assert!(matches!(
            h.store.append(too_many).await,
            Err(StoreError::Request(RequestError::TooManyEvents { .. }))
        ));
        let empty = AppendRequest { metadata: Metadata::for_command(Uuid::now_v7()), streams: vec![] };
        assert!(matches!(h.store.append(empty).await, Err(StoreError::Request(RequestError::Empty))));
        let twice = append_to(&stream, ExpectedVersion::Any, notes(1)).and_stream(stream.clone(), ExpectedVersion::Any, notes(1));
        assert!(matches!(
            h.store.append(twice).await,
            Err(StoreError::Request(RequestError::RepeatedStream { .. }))
        ));
        // Exactly at the limit is fine.
        let at_limit = "x".repeat(limit - 2); // the two quotes of the JSON string
        let fits = NewEvent::new("NoteTaken", 1, serde_json::value::to_raw_value(&at_limit).unwrap());
        h.store.append(append_to(&stream, ExpectedVersion::NoStream, vec![fits])).await.unwrap();
        assert_eq!(read_everything(&h.store, 10).await.len(), 1);
        h.finish().await;
    }
}

#[tokio::test]
async fn an_unknown_url_scheme_is_refused_and_the_password_is_not_echoed() {
    let err = EventStore::connect("mysql://banso:secret@db/banso", &Default::default())
        .await
        .err()
        .expect("mysql is not a backend");
    let message = err.to_string();
    assert!(
        message.contains("use sqlite://PATH or postgres://"),
        "{message}"
    );
    assert!(!message.contains("secret"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Backend-specific guarantees

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_payload_that_is_not_json_is_an_error_naming_its_position() {
    let h = Harness::new(Backend::Sqlite).await.unwrap();
    let recorded = store_raw(&h, NewEvent::json("DialogueLogged", 2, &json!({})).unwrap()).await;
    // Damage the row behind the store's back, as a bad disk or a manual edit would.
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&h.url)
        .await
        .unwrap();
    sqlx::query("UPDATE banso_events SET payload = '{\"note\": \"途中で切れ' WHERE position = ?1")
        .bind(recorded.position.0 as i64)
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let damaged = h
        .store
        .read_all(Position::START, 10)
        .await
        .unwrap()
        .remove(0);
    match codec().decode(&damaged) {
        Err(e @ DecodeError::CorruptPayload { .. }) => {
            let message = e.to_string();
            assert!(
                message.contains(&format!("position {}", recorded.position)),
                "{message}"
            );
            assert!(message.contains("DialogueLogged"), "{message}");
        }
        other => panic!("expected CorruptPayload, got {other:?}"),
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_events_survive_closing_and_reopening_the_file() {
    let h = Harness::new(Backend::Sqlite).await.unwrap();
    let stream = case();
    let outcome = h
        .store
        .append(append_to(&stream, ExpectedVersion::NoStream, notes(3)))
        .await
        .unwrap();
    h.store.close().await;
    assert!(matches!(
        h.store
            .append(append_to(&case(), ExpectedVersion::Any, notes(1)))
            .await,
        Err(StoreError::Closed)
    ));
    let reopened = h.second_store().await;
    assert_eq!(reopened.head().await.unwrap(), outcome.last_position());
    assert_eq!(
        reopened.stream_version(&stream).await.unwrap(),
        StreamVersion(3)
    );
    let next = reopened
        .append(append_to(&stream, ExpectedVersion::Exact(3), notes(1)))
        .await
        .unwrap();
    assert_eq!(next.positions, vec![Position(4)]);
    reopened.close().await;
    h.finish().await;
}

/// The PostgreSQL read horizon: a transaction holding a lower position is still open while a
/// later append commits. The subscriber must wait for it, then deliver both in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_subscriber_waits_for_an_open_lower_position_then_delivers_both_in_order() {
    let Some(h) = Harness::new(Backend::Postgres).await else {
        return;
    };
    let banso_events::EventStore::Postgres(pg) = &h.store else {
        unreachable!()
    };
    let mut sub = h.store.subscribe(Position::START, &h.config);

    // Transaction A draws the lower position and stays open.
    let mut tx = pg.pool().begin().await.unwrap();
    let a = pg
        .append_in_transaction(
            &mut tx,
            append_to(&case(), ExpectedVersion::NoStream, notes(1)),
        )
        .await
        .unwrap();
    // Append B draws a higher position and commits first.
    let b = h
        .store
        .append(append_to(&case(), ExpectedVersion::NoStream, notes(1)))
        .await
        .unwrap();
    assert!(a.last_position() < b.last_position());

    // B is committed and visible to a plain query, yet the subscriber must not deliver it.
    let visible: i64 = sqlx::query_scalar("SELECT count(*) FROM banso_events")
        .fetch_one(pg.pool())
        .await
        .unwrap();
    assert_eq!(visible, 1);
    let waited = tokio::time::timeout(Duration::from_millis(700), sub.next()).await;
    assert!(
        waited.is_err(),
        "delivered {:?} while a lower position was in flight",
        waited
    );
    assert!(
        h.store
            .read_all(Position::START, 10)
            .await
            .unwrap()
            .is_empty()
    );

    tx.commit().await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(10), sub.next())
        .await
        .unwrap()
        .unwrap();
    let second = tokio::time::timeout(Duration::from_secs(10), sub.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.position, a.last_position());
    assert_eq!(second.position, b.last_position());
    h.finish().await;
}

/// Append two events on PostgreSQL inside a transaction that is then rolled back: their
/// positions stay a gap for good. Returns what the append would have written.
async fn abort_an_append(store: &EventStore) -> banso_events::AppendOutcome {
    let EventStore::Postgres(pg) = store else {
        panic!("only PostgreSQL leaves gaps")
    };
    let mut tx = pg.pool().begin().await.unwrap();
    let aborted = pg
        .append_in_transaction(
            &mut tx,
            append_to(&case(), ExpectedVersion::NoStream, notes(2)),
        )
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    aborted
}

/// An aborted append leaves a gap in PostgreSQL's positions; readers pass over it once it is
/// final instead of waiting forever or skipping anything real.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_gap_left_by_an_aborted_append_is_passed_over() {
    let Some(h) = Harness::new(Backend::Postgres).await else {
        return;
    };
    let aborted = abort_an_append(&h.store).await;
    let kept = h
        .store
        .append(append_to(&case(), ExpectedVersion::NoStream, notes(1)))
        .await
        .unwrap();
    assert!(kept.last_position() > aborted.last_position());
    let all = read_everything(&h.store, 10).await;
    let positions: BTreeSet<Position> = all.iter().map(|e| e.position).collect();
    assert_eq!(positions, kept.positions.iter().copied().collect());
    h.finish().await;
}

/// A horizon that stops just after a gap (an aborted append, nothing committed yet beyond it)
/// must not strand readers: when everything up to the horizon is a gap, the reader advances the
/// horizon instead of reading the same empty range forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_horizon_resting_on_a_gap_does_not_strand_a_subscriber() {
    let Some(h) = Harness::new(Backend::Postgres).await else {
        return;
    };
    let aborted = abort_an_append(&h.store).await;
    // The horizon now rests on the gap: every position up to it is final, none is an event.
    let horizon = h.store.head().await.unwrap();
    assert_eq!(horizon, aborted.last_position());

    let kept = h
        .store
        .append(append_to(&case(), ExpectedVersion::NoStream, notes(1)))
        .await
        .unwrap();
    let mut sub = h.store.subscribe(Position::START, &h.config);
    let first = tokio::time::timeout(Duration::from_secs(10), sub.next())
        .await
        .expect("the subscriber is stuck before a gap")
        .unwrap();
    assert_eq!(first.position, kept.last_position());
    h.finish().await;
}

both_backends! {
    async fn a_retry_by_event_ids_racing_its_first_attempt_is_answered_as_a_duplicate(h: Harness) {
        // Both arrive together, so they usually share one group commit.
        for _ in 0..5 {
            let first = append_to(&case(), ExpectedVersion::NoStream, notes(2));
            let mut retry = first.clone();
            retry.metadata.command_id = Uuid::now_v7();
            let (a, b) = tokio::join!(h.store.append(first.clone()), h.store.append(retry));
            let (a, b) = (a.unwrap(), b.unwrap());
            assert_eq!(a.positions, b.positions);
            assert_eq!([a.duplicate, b.duplicate].iter().filter(|d| **d).count(), 1);
        }
        assert_eq!(read_everything(&h.store, 100).await.len(), 10);
        h.finish().await;
    }
}

both_backends! {
    async fn closing_from_two_clones_at_once_still_finishes_every_queued_append(h: Harness) {
        // Another connection holds the write lock, so that every append is still waiting in the
        // writer when both clones call `close`.
        let lock = WriteLock::take(&h).await;
        let mut appends = Vec::new();
        for _ in 0..40 {
            let store = h.store.clone();
            let request = append_to(&case(), ExpectedVersion::NoStream, notes(1));
            appends.push(tokio::spawn(async move { store.append(request).await }));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let closing = {
            let (a, b) = (h.store.clone(), h.store.clone());
            tokio::spawn(async move { tokio::join!(a.close(), b.close()) })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!closing.is_finished(), "close returned while appends were still queued");
        lock.release().await;
        closing.await.unwrap();
        for a in appends {
            if let Err(e) = a.await.unwrap() {
                panic!("an append queued before close failed: {e}");
            }
        }
        let reopened = h.second_store().await;
        assert_eq!(read_everything(&reopened, 100).await.len(), 40);
        reopened.close().await;
        h.finish().await;
    }
}

/// The database's write lock, held by a connection of its own (as another process would).
enum WriteLock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl WriteLock {
    async fn take(h: &Harness) -> Self {
        use sqlx::Connection;
        match h.store.backend() {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&h.url).await.unwrap();
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                WriteLock::Sqlite(conn)
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&h.url).await.unwrap();
                sqlx::raw_sql("BEGIN; LOCK TABLE banso_events IN EXCLUSIVE MODE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                WriteLock::Postgres(conn)
            }
        }
    }

    async fn release(self) {
        match self {
            WriteLock::Sqlite(mut conn) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
            }
            WriteLock::Postgres(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            }
        }
    }
}

both_backends! {
    async fn payloads_and_positions_beyond_what_both_backends_hold_are_refused_clearly(h: Harness) {
        let nul = NewEvent::new("NoteTaken", 1, serde_json::value::RawValue::from_string(r#"{"note":"a\u0000b"}"#.into()).unwrap());
        match h.store.append(append_to(&case(), ExpectedVersion::NoStream, vec![nul])).await {
            Err(StoreError::Request(e @ RequestError::NulInPayload { .. })) => {
                assert!(e.to_string().contains("remove it"), "{e}");
            }
            other => panic!("expected NulInPayload, got {other:?}"),
        }
        let mut huge = note(1);
        huge.schema_version = u32::MAX;
        assert!(matches!(
            h.store.append(append_to(&case(), ExpectedVersion::NoStream, vec![huge])).await,
            Err(StoreError::Request(RequestError::InvalidSchemaVersion { .. }))
        ));
        h.store.append(append_to(&case(), ExpectedVersion::NoStream, notes(2))).await.unwrap();
        assert!(h.store.read_all(Position(u64::MAX), 10).await.unwrap().is_empty());
        h.finish().await;
    }
}

/// Appends to the same two streams in opposite orders from two servers must not deadlock
/// (rows are inserted in one lock order) and an `Any` append always lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_appends_to_the_same_streams_in_opposite_orders_all_land() {
    let Some(h) = Harness::new(Backend::Postgres).await else {
        return;
    };
    let other = h.second_store().await;
    let (s1, s2) = (case(), case());
    let mut tasks = Vec::new();
    for round in 0..30 {
        for (store, first, second) in [
            (h.store.clone(), s1.clone(), s2.clone()),
            (other.clone(), s2.clone(), s1.clone()),
        ] {
            tasks.push(tokio::spawn(async move {
                let request = append_to(&first, ExpectedVersion::Any, notes(3)).and_stream(
                    second,
                    ExpectedVersion::Any,
                    notes(3),
                );
                (round, store.append(request).await)
            }));
        }
    }
    for t in tasks {
        let (round, result) = t.await.unwrap();
        assert!(result.is_ok(), "round {round}: {result:?}");
    }
    assert_eq!(
        h.store.stream_version(&s1).await.unwrap(),
        StreamVersion(180)
    );
    assert_eq!(
        h.store.stream_version(&s2).await.unwrap(),
        StreamVersion(180)
    );
    other.close().await;
    h.finish().await;
}
