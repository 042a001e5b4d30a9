//! The stories run on the pure domain, and the golden file of one serialized example per
//! event type (`events/tests/golden/events.json`): a change to an event's shape shows up in
//! review, where it needs a new schema version and an upcaster. `BANSO_UPDATE_GOLDEN=1`
//! rewrites the file after an intended change.

use std::collections::BTreeMap;

use banso_events::Event;
use banso_events::domain::decide::decide;
use banso_events::domain::directory::{Context, Directory};
use banso_events::domain::event::{DomainEvent, Envelope};
use banso_events::domain::localbench::{Indicator, Indicators};
use banso_events::domain::values::{Day, FiscalYear};
use banso_events::domain::vocab::Stage;
use serde_json::{Value, json};

use crate::story::{IDS, Step, TODAY, main_story, second_story};

/// Decide every step on the state the earlier steps left; panics on a refusal.
pub fn run_pure(steps: &[Step], directory: &mut Directory) -> Vec<Envelope> {
    let today = Day::parse(TODAY).unwrap();
    let mut all = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let ctx = Context {
            actor: step.actor,
            today,
            directory,
        };
        let envelopes = decide(&step.command, &ctx)
            .unwrap_or_else(|refusal| panic!("step {i} refused: {refusal:?}\n{:?}", step.command));
        for envelope in &envelopes {
            directory.apply(&envelope.event);
        }
        all.extend(envelopes);
    }
    all
}

fn both_stories() -> (Vec<Envelope>, Directory) {
    let mut directory = Directory::default();
    let mut all = run_pure(&main_story(), &mut directory);
    all.extend(run_pure(&second_story(), &mut directory));
    (all, directory)
}

#[test]
fn the_main_story_ends_self_running_at_the_receiving_agency_and_nominated() {
    let (envelopes, directory) = both_stories();
    let case = directory.case(IDS.case).unwrap();
    assert_eq!(case.stage(), Stage::SelfRunning);
    assert_eq!(case.holder, Some(IDS.yorozu));
    assert_eq!(case.in_charge, Some(IDS.coordinator));
    assert_eq!(case.reviews, 2);
    assert_eq!(case.cycle, 2);
    let dialogues = envelopes
        .iter()
        .filter(|e| matches!(&e.event, DomainEvent::DialogueHeld { case_id, .. } if *case_id == IDS.case))
        .count();
    assert_eq!(dialogues, 2);
    assert!(case.nominated);
    let company = directory.company(IDS.company).unwrap();
    let fy2022 = FiscalYear::new(2022).unwrap();
    let fy2023 = FiscalYear::new(2023).unwrap();
    assert_eq!(
        company.statements[&fy2022],
        crate::story::fy2022(),
        "the correction wins"
    );
    let indicators = Indicators::compute(
        &company.statements[&fy2023],
        Some(&company.statements[&fy2022]),
    );
    // 480M / 450M - 1 = 6.67 %; 14.4M / 480M = 3 %.
    let growth = indicators.get(Indicator::SalesGrowth).value().unwrap();
    assert!((growth - 6.666_666_666).abs() < 1e-6, "{growth}");
    assert_eq!(
        indicators.get(Indicator::OperatingMargin).value(),
        Some(3.0)
    );
}

#[test]
fn the_second_story_ends_reopened_with_consent_withdrawn() {
    let (_, directory) = both_stories();
    let case = directory.case(IDS.diner_case).unwrap();
    assert!(!case.is_closed());
    assert!(case.consent_withdrawn);
    assert!(case.failure_recorded);
    assert!(case.team.is_empty());
    assert!(directory.supporter(IDS.leaver).unwrap().departed);
}

#[test]
fn every_event_type_matches_its_golden_example() {
    let (envelopes, _) = both_stories();
    let mut examples: BTreeMap<&str, Value> = BTreeMap::new();
    for envelope in &envelopes {
        let event_type = envelope.event_type();
        examples.entry(event_type).or_insert_with(|| {
            let payload: Value =
                serde_json::from_str(envelope.to_payload().unwrap().get()).unwrap();
            json!({ "type": event_type, "schema_version": 1, "payload": payload })
        });
    }
    let missing: Vec<_> = DomainEvent::TYPES
        .iter()
        .filter(|t| !examples.contains_key(*t))
        .collect();
    assert!(
        missing.is_empty(),
        "the stories have no example of {missing:?}: extend them"
    );
    let ordered: Vec<&Value> = DomainEvent::TYPES.iter().map(|t| &examples[t]).collect();
    let actual = serde_json::to_string_pretty(&ordered).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/events.json");
    if std::env::var_os("BANSO_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "event shapes differ from {}: a changed event needs a new schema version and an \
         upcaster; if the change is intended and safe, rerun with BANSO_UPDATE_GOLDEN=1 and \
         review the diff",
        path.display()
    );
}

#[test]
fn golden_examples_decode_back_to_the_same_events() {
    let (envelopes, _) = both_stories();
    for envelope in envelopes {
        let payload = envelope.to_payload().unwrap();
        let back = Envelope::from_payload(envelope.event_type(), payload.get()).unwrap();
        assert_eq!(back, envelope);
    }
}

#[test]
fn personal_data_sits_only_under_the_personal_key() {
    let (envelopes, _) = both_stories();
    let names = [
        "川口 一郎",
        "川口 翔太",
        "佐藤 美咲",
        "田村 和子",
        "tanto@example.jp",
    ];
    let mut seen = 0;
    for envelope in envelopes {
        let mut payload: Value =
            serde_json::from_str(envelope.to_payload().unwrap().get()).unwrap();
        if let Some(personal) = payload.as_object_mut().unwrap().remove("personal") {
            seen += 1;
            for subject in personal.as_object().unwrap().keys() {
                assert!(uuid::Uuid::parse_str(subject).is_ok(), "keyed by person id");
            }
        }
        let rest = payload.to_string();
        for name in names {
            assert!(
                !rest.contains(name),
                "{name} outside personal data in {}",
                envelope.event_type()
            );
        }
    }
    assert!(
        seen >= 8,
        "the stories carry personal data in several events ({seen})"
    );
}
