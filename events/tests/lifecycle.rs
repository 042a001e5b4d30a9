//! The support lifecycle on the store, on both backends: the whole story through
//! `Lifecycle::execute`, then what the store holds: the same state as deciding in memory,
//! actors and agencies in the metadata, personal data apart, retries answered from the first
//! result, stale versions and refusals appending nothing, concurrent commands on one case.

#[path = "domain/story.rs"]
mod story;
mod support;

use banso_events::domain::command::Command;
use banso_events::domain::directory::{Actor, Directory};
use banso_events::domain::event::StreamKey;
use banso_events::domain::service::{CommandRequest, ExecuteError, Executed, Lifecycle};
use banso_events::domain::snapshot;
use banso_events::domain::values::{Day, Quantity};
use banso_events::domain::vocab::Stage;
use banso_events::{StoreError, StreamVersion};
use support::Harness;
use uuid::Uuid;

use story::{IDS, Step, TODAY, main_story, second_story};

fn request(step: &Step) -> CommandRequest {
    CommandRequest {
        command_id: Uuid::now_v7(),
        actor: step.actor,
        today: Day::parse(TODAY).unwrap(),
        expected_case_version: None,
        command: step.command.clone(),
    }
}

async fn run_story(lifecycle: &Lifecycle) -> Vec<(CommandRequest, Executed)> {
    let mut requests = Vec::new();
    for (i, step) in main_story().iter().chain(&second_story()).enumerate() {
        let req = request(step);
        let executed = lifecycle
            .execute(req.clone())
            .await
            .unwrap_or_else(|e| panic!("step {i} failed: {e:?}"));
        assert!(!executed.duplicate);
        assert_eq!(executed.events.len(), executed.positions.len());
        let written: u64 = executed
            .streams
            .iter()
            .map(|s| s.last_version.0 + 1 - s.first_version.0)
            .sum();
        assert_eq!(written, executed.events.len() as u64);
        requests.push((req, executed));
    }
    requests
}

both_backends! {
    async fn the_whole_story_runs_on_the_store(h: Harness) {
        let lifecycle = Lifecycle::new(h.store.clone());
        let requests = run_story(&lifecycle).await;

        // The state read back from the store is the state of deciding in memory.
        let mut directory = Directory::default();
        for key in [
            StreamKey::Case(IDS.case),
            StreamKey::Case(IDS.diner_case),
            StreamKey::Company(IDS.company),
            StreamKey::Supporter(IDS.leaver),
        ] {
            let (events, _) = lifecycle.load(key).await.unwrap();
            for e in &events {
                directory.apply(&e.event);
            }
        }
        let case = directory.case(IDS.case).unwrap();
        assert_eq!(case.stage(), Stage::SelfRunning);
        assert_eq!(case.holder, Some(IDS.yorozu));
        assert_eq!(case.reviews, 2);
        assert!(case.nominated);
        assert_eq!(directory.company(IDS.company).unwrap().statements.len(), 2);
        assert!(directory.case(IDS.diner_case).unwrap().consent_withdrawn);
        assert!(directory.supporter(IDS.leaver).unwrap().departed);

        // Every event records who acted for which agency.
        let case_stream = StreamKey::Case(IDS.case).stream_id();
        let recorded = h.store.read_stream(&case_stream, StreamVersion(1), 1_000).await.unwrap();
        let accepted = recorded.iter().find(|e| e.event_type == "HandoverAccepted").unwrap();
        assert_eq!(accepted.metadata.actor, Some(IDS.coordinator.0));
        assert_eq!(accepted.metadata.agency, Some(IDS.yorozu.0));
        let discovered = recorded.iter().find(|e| e.event_type == "CompanyDiscovered").unwrap();
        assert_eq!(discovered.metadata.agency, Some(IDS.shinkin.0));

        // Personal data is stored under "personal", and only there.
        let company_stream = StreamKey::Company(IDS.company).stream_id();
        let company = h.store.read_stream(&company_stream, StreamVersion(1), 1).await.unwrap();
        let payload: serde_json::Value = serde_json::from_str(&company[0].payload).unwrap();
        assert_eq!(
            payload["personal"][IDS.owner.0.to_string()]["name"],
            "川口 一郎"
        );
        assert!(!payload["representative"].to_string().contains("川口"));

        // A retry of a stored command returns its first result and appends nothing.
        let head = h.store.head().await.unwrap();
        let (first, first_result) = &requests[30];
        let again = lifecycle.execute(first.clone()).await.unwrap();
        assert!(again.duplicate);
        assert_eq!(again.positions, first_result.positions);
        assert_eq!(again.streams, first_result.streams);
        assert_eq!(again.events, first_result.events);
        assert_eq!(
            again.version_of(StreamKey::Case(IDS.case)),
            first_result.version_of(StreamKey::Case(IDS.case))
        );
        assert_eq!(h.store.head().await.unwrap(), head);

        // A stale expected version is a conflict; a refusal appends nothing.
        let (_, version) = lifecycle.load(StreamKey::Case(IDS.case)).await.unwrap();
        let mut stale = request(&Step {
            actor: Actor::Supporter(IDS.coordinator),
            command: measure_kpi(4.0),
        });
        stale.expected_case_version = Some(StreamVersion(version.0 - 1));
        match lifecycle.execute(stale).await {
            Err(ExecuteError::Store(StoreError::Concurrency { actual, .. })) => assert_eq!(actual, version),
            other => panic!("expected a conflict, got {other:?}"),
        }
        let outsider = request(&Step {
            actor: Actor::Supporter(IDS.hub),
            command: measure_kpi(4.0),
        });
        match lifecycle.execute(outsider).await {
            Err(ExecuteError::Refused(refusal)) => assert_eq!(refusal.rule, "not_on_case"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(h.store.head().await.unwrap(), head);

        // Concurrent commands on one case all land, each decided on the state before it.
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let lifecycle = lifecycle.clone();
                tokio::spawn(async move {
                    let step = Step {
                        actor: Actor::Supporter(IDS.coordinator),
                        command: measure_kpi(5.0 + f64::from(i) / 10.0),
                    };
                    lifecycle.execute(request(&step)).await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let (_, after) = lifecycle.load(StreamKey::Case(IDS.case)).await.unwrap();
        assert_eq!(after.0, version.0 + 8);
        h.finish().await;
    }
}

fn measure_kpi(value: f64) -> Command {
    Command::MeasureKpi {
        case_id: IDS.case,
        measure_id: IDS.measures[0],
        kpi_id: IDS.kpis[0],
        on: Day::parse("2025-11-01").unwrap(),
        value: Quantity::new(value).unwrap(),
    }
}

both_backends! {
    async fn the_service_loads_what_the_rules_consult_and_guards_command_ids(h: Harness) {
        let lifecycle = Lifecycle::new(h.store.clone());
        let story = main_story();
        // Up to and including the expert joining the team (the fifth step after set-up).
        let joined = story
            .iter()
            .position(|s| matches!(s.command, Command::AddTeamMember { .. }))
            .unwrap();
        let mut first = None;
        for step in &story[..=joined] {
            let req = request(step);
            lifecycle.execute(req.clone()).await.unwrap();
            first.get_or_insert(req);
        }
        // Amending with the same consent keeps the expert: the service loaded the expert's
        // agency, so the rule sees that the consent still covers it.
        let amend = Step {
            actor: Actor::Supporter(IDS.hub),
            command: Command::AmendConsent {
                case_id: IDS.case,
                on: Day::parse("2024-05-15").unwrap(),
                consent: story::consent(),
                owner: Default::default(),
            },
        };
        let executed = lifecycle.execute(request(&amend)).await.unwrap();
        let types: Vec<_> = executed.events.iter().map(|e| e.event.event_type()).collect();
        assert_eq!(types, ["ConsentAmended"]);

        // Another supporter reusing someone's command id gets an error, not their events.
        let mut reused = request(&Step {
            actor: Actor::Supporter(IDS.coordinator),
            command: measure_kpi(1.0),
        });
        reused.command_id = first.unwrap().command_id;
        match lifecycle.execute(reused).await {
            Err(ExecuteError::Store(StoreError::CommandIdReused { .. })) => {}
            other => panic!("expected CommandIdReused, got {other:?}"),
        }
        h.finish().await;
    }
}

both_backends! {
    async fn a_server_decides_on_what_another_server_appended(h: Harness) {
        // Two servers on one store: each keeps the states it folded between commands, and
        // still decides on every event, also those the other one appended.
        let first = Lifecycle::new(h.store.clone());
        let second = Lifecycle::new(h.store.clone());
        let executed = run_story(&first).await;
        let case_version = executed
            .iter()
            .filter_map(|(_, e)| e.version_of(StreamKey::Case(IDS.case)))
            .max()
            .unwrap();
        first
            .execute(request(&Step {
                actor: Actor::Supporter(IDS.coordinator),
                command: measure_kpi(2.0),
            }))
            .await
            .unwrap();

        // The other server records a reading on the case, then the coordinator's departure.
        let reading = second
            .execute(request(&Step {
                actor: Actor::Supporter(IDS.coordinator),
                command: measure_kpi(3.0),
            }))
            .await
            .unwrap();
        assert_eq!(
            reading.version_of(StreamKey::Case(IDS.case)),
            Some(StreamVersion(case_version.0 + 2))
        );
        // The first server decides on the case as the second one left it: it appends after
        // the second server's reading.
        let next = first
            .execute(request(&Step {
                actor: Actor::Supporter(IDS.coordinator),
                command: measure_kpi(4.0),
            }))
            .await
            .unwrap();
        assert_eq!(
            next.version_of(StreamKey::Case(IDS.case)),
            Some(StreamVersion(case_version.0 + 3))
        );

        // The second server records the coordinator's departure. The first server's next
        // command by the coordinator is refused: it read the departure although it had kept the
        // coordinator's state from before.
        second
            .execute(request(&Step {
                actor: Actor::Operator,
                command: Command::RecordSupporterDeparture {
                    supporter_id: IDS.coordinator,
                    on: Day::parse(TODAY).unwrap(),
                },
            }))
            .await
            .unwrap();
        match first
            .execute(request(&Step {
                actor: Actor::Supporter(IDS.coordinator),
                command: measure_kpi(5.0),
            }))
            .await
        {
            Err(ExecuteError::Refused(refusal)) => assert_eq!(refusal.rule, "unknown_supporter"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        let (events, version) = first.load(StreamKey::Case(IDS.case)).await.unwrap();
        assert_eq!(version.0, case_version.0 + 3);
        let fresh = Directory::from_events(events.iter().map(|e| &e.event));
        assert!(fresh.case(IDS.case).is_some());
        h.finish().await;
    }
}

both_backends! {
    async fn a_retry_the_rules_accept_again_gets_the_first_result(h: Harness) {
        let lifecycle = Lifecycle::new(h.store.clone());
        run_story(&lifecycle).await;
        // A reading is accepted whenever it is sent: its retry is decided again and accepted,
        // and the store answers with the first run.
        let first = request(&Step {
            actor: Actor::Supporter(IDS.coordinator),
            command: measure_kpi(7.0),
        });
        let done = lifecycle.execute(first.clone()).await.unwrap();
        let head = h.store.head().await.unwrap();
        for retry in [first.clone(), first.clone()] {
            let again = lifecycle.execute(retry).await.unwrap();
            assert!(again.duplicate);
            assert_eq!(again.positions, done.positions);
            assert_eq!(again.events, done.events);
        }
        // Also from a server that never saw the first run.
        let other_server = Lifecycle::new(h.store.clone());
        let again = other_server.execute(first.clone()).await.unwrap();
        assert!(again.duplicate);
        assert_eq!(again.positions, done.positions);
        assert_eq!(h.store.head().await.unwrap(), head);

        // Someone else's command under that id is refused, though the rules accept it.
        let mut reused = request(&Step {
            actor: Actor::Operator,
            command: Command::RecordSupporterDeparture {
                supporter_id: IDS.coordinator,
                on: Day::parse(TODAY).unwrap(),
            },
        });
        reused.command_id = first.command_id;
        match lifecycle.execute(reused).await {
            Err(ExecuteError::Store(StoreError::CommandIdReused { .. })) => {}
            other => panic!("expected CommandIdReused, got {other:?}"),
        }
        assert_eq!(h.store.head().await.unwrap(), head);
        h.finish().await;
    }
}

/// The snapshot of `key` the store holds (of this build's shape), once what was saved before
/// is written: saving returns before the write.
async fn stored_snapshot(h: &Harness, key: StreamKey) -> Option<banso_events::Snapshot> {
    h.store.flush_snapshots().await;
    let found = h
        .store
        .read_snapshots(&[key.stream_id()], snapshot::SHAPE)
        .await
        .unwrap();
    found.into_iter().next()
}

both_backends! {
    async fn a_command_starts_from_the_stored_snapshot_and_reads_the_events_after_it(h: Harness) {
        let first = Lifecycle::new(h.store.clone());
        let executed = run_story(&first).await;
        let case = StreamKey::Case(IDS.case);
        let case_version = executed
            .iter()
            .filter_map(|(_, e)| e.version_of(case))
            .max()
            .unwrap();
        assert!(case_version.0 > 2 * snapshot::EVERY, "the story is long enough");

        // The server saved a snapshot of the case along the way: the fold of its events up to
        // its version.
        let saved = stored_snapshot(&h, case).await.expect("a snapshot of the case");
        assert!(saved.version.0 >= snapshot::EVERY && saved.version <= case_version);
        let (key, state) = snapshot::decode(&saved).unwrap();
        assert_eq!(key, case);
        let (events, _) = first.load(case).await.unwrap();
        let folded = Directory::from_events(
            events.iter().take(saved.version.0 as usize).map(|e| &e.event),
        );
        assert_eq!(state.cases[&IDS.case], folded.cases[&IDS.case]);

        // Events appended after the snapshot (by a server that saves none: it keeps the case
        // in memory and has seen fewer than EVERY new events).
        first
            .execute(request(&Step {
                actor: Actor::Supporter(IDS.coordinator),
                command: measure_kpi(2.0),
            }))
            .await
            .unwrap();
        // A new server starts from the snapshot and reads the events after it: it appends at
        // the case's true version (starting at the snapshot's would conflict for ever).
        let fresh = Lifecycle::new(h.store.clone());
        let next = fresh
            .execute(request(&Step {
                actor: Actor::Supporter(IDS.coordinator),
                command: measure_kpi(3.0),
            }))
            .await
            .unwrap();
        assert_eq!(next.version_of(case), Some(StreamVersion(case_version.0 + 2)));

        // An older snapshot never replaces a newer one (the new server, having read more than
        // EVERY events after the snapshot, saved a newer one).
        let newest = stored_snapshot(&h, case).await.unwrap();
        assert!(newest.version > saved.version);
        let mut older = saved.clone();
        older.version = StreamVersion(1);
        older.state = "{}".into();
        h.store.save_snapshots(vec![older]);
        assert_eq!(stored_snapshot(&h, case).await.unwrap(), newest);

        // A snapshot that does not parse, or of another shape (an older build's), is ignored:
        // the next server folds the case from its events.
        for (shape, state) in [(snapshot::SHAPE, "{\"closed\": 7"), ("1999-01-01", "{}")] {
            // Newer than what is stored, so that it replaces it.
            let stored = stored_snapshot(&h, case).await.map_or(0, |s| s.version.0);
            let mut unusable = saved.clone();
            unusable.version = StreamVersion(stored + 1);
            unusable.shape = shape.into();
            unusable.state = state.into();
            h.store.save_snapshots(vec![unusable.clone()]);
            // Stored (another shape is not even read back).
            let expected = (shape == snapshot::SHAPE).then_some(unusable);
            assert_eq!(stored_snapshot(&h, case).await, expected);
            let another = Lifecycle::new(h.store.clone());
            let done = another
                .execute(request(&Step {
                    actor: Actor::Supporter(IDS.coordinator),
                    command: measure_kpi(4.0),
                }))
                .await
                .unwrap();
            let version = done.version_of(case).unwrap();
            let (events, stored) = another.load(case).await.unwrap();
            assert_eq!(version, stored);
            assert_eq!(events.len() as u64, stored.0);
        }
        h.finish().await;
    }
}
