//! Property tests over random command sequences on one case: whatever supporters do, the
//! state rebuilt by replaying the stored form of the case's events equals the state kept by
//! applying each accepted decision as it happened, and the case's invariants hold throughout.

use banso_events::Event;
use banso_events::domain::command::{Command, FindingInput};
use banso_events::domain::decide::decide;
use banso_events::domain::directory::{Actor, Context, Directory};
use banso_events::domain::event::{Envelope, StreamKey};
use banso_events::domain::ids::{HandoverId, IssueId, MeasureId};
use banso_events::domain::state::{CaseState, Fold};
use banso_events::domain::vocab::{ClosingOutcome, HandoverStatus, TeamRole, Wall};
use proptest::prelude::*;
use uuid::Uuid;

use crate::support::*;

/// What a supporter might try next; indices pick among a few issues, measures, handovers.
#[derive(Debug, Clone)]
enum Move {
    SetIssue(u8, u8),
    DropIssue(u8),
    ResolveIssue(u8),
    Prescribe(u8, u8),
    Start(u8),
    Stall(u8, u8),
    Resume(u8),
    Complete(u8),
    Overcome(u8, u8),
    Measure(u8, i16),
    Review(bool),
    AddExpert,
    RemoveExpert,
    Request(u8),
    Accept(u8),
    Decline(u8),
    Withdraw(u8),
    SelfRunning,
    Close,
    Reopen,
    WithdrawConsent,
}

fn moves() -> impl Strategy<Value = Move> {
    prop_oneof![
        (0..4u8, 0..5u8).prop_map(|(i, w)| Move::SetIssue(i, w)),
        (0..4u8).prop_map(Move::DropIssue),
        (0..4u8).prop_map(Move::ResolveIssue),
        (0..3u8, 0..4u8).prop_map(|(m, i)| Move::Prescribe(m, i)),
        (0..3u8).prop_map(Move::Start),
        (0..3u8, 0..5u8).prop_map(|(m, w)| Move::Stall(m, w)),
        (0..3u8).prop_map(Move::Resume),
        (0..3u8).prop_map(Move::Complete),
        (0..4u8, 0..5u8).prop_map(|(i, w)| Move::Overcome(i, w)),
        (0..3u8, -50..150i16).prop_map(|(m, v)| Move::Measure(m, v)),
        any::<bool>().prop_map(Move::Review),
        Just(Move::AddExpert),
        Just(Move::RemoveExpert),
        (0..3u8).prop_map(Move::Request),
        (0..3u8).prop_map(Move::Accept),
        (0..3u8).prop_map(Move::Decline),
        (0..3u8).prop_map(Move::Withdraw),
        Just(Move::SelfRunning),
        Just(Move::Close),
        Just(Move::Reopen),
        Just(Move::WithdrawConsent),
    ]
}

fn issue(i: u8) -> IssueId {
    IssueId(Uuid::from_u128(0x9100 + u128::from(i)))
}
fn measure(m: u8) -> MeasureId {
    MeasureId(Uuid::from_u128(0x9200 + u128::from(m)))
}
fn handover(h: u8) -> HandoverId {
    HandoverId(Uuid::from_u128(0x9300 + u128::from(h)))
}

/// The command a move stands for, and who issues it (the case's holder, or the receiver).
fn command(mv: &Move, case: &CaseState) -> (Actor, Command) {
    let c = CAST.case;
    let on = day("2025-06-15");
    let holder = if case.holder == Some(CAST.yorozu) {
        CAST.yorozu_coordinator
    } else {
        CAST.hub
    };
    let wall = |w: u8| Wall::ALL[usize::from(w) % Wall::ALL.len()];
    let cmd = match *mv {
        Move::SetIssue(i, w) => CAST.set_issue(issue(i), "課題", vec![wall(w)]),
        Move::DropIssue(i) => Command::DropIssue {
            case_id: c,
            on: day("2025-04-24"),
            issue_id: issue(i),
            reason: reason("優先度が下がった"),
        },
        Move::ResolveIssue(i) => Command::ResolveIssue {
            case_id: c,
            issue_id: issue(i),
            on,
            how: reason("解決"),
        },
        Move::Prescribe(m, i) => {
            let mut cmd = CAST.prescribe(measure(m), vec![issue(i)]);
            if let Command::PrescribeMeasure { owner, .. } = &mut cmd {
                *owner = banso_events::domain::event::MeasureOwner::Company {
                    person: None,
                    team: Some(name("社内チーム")),
                };
            }
            cmd
        }
        Move::Start(m) => Command::StartMeasure {
            case_id: c,
            measure_id: measure(m),
            on,
        },
        Move::Stall(m, w) => Command::ReportStall {
            case_id: c,
            measure_id: measure(m),
            on,
            wall: wall(w),
            note: text("停滞"),
        },
        Move::Resume(m) => Command::ResumeMeasure {
            case_id: c,
            measure_id: measure(m),
            on,
            note: None,
        },
        Move::Complete(m) => Command::CompleteMeasure {
            case_id: c,
            measure_id: measure(m),
            on,
            result: None,
        },
        Move::Overcome(i, w) => Command::OvercomeWall {
            case_id: c,
            issue_id: issue(i),
            wall: wall(w),
            on,
            how: text("克服"),
            measure_id: None,
        },
        Move::Measure(m, v) => Command::MeasureKpi {
            case_id: c,
            measure_id: measure(m),
            kpi_id: CAST.kpi_a,
            on,
            value: qty(f64::from(v) / 10.0),
        },
        Move::Review(next) => Command::HoldReview {
            case_id: c,
            on,
            findings: case
                .measures
                .keys()
                .take(1)
                .map(|m| FindingInput {
                    measure_id: *m,
                    kpi_id: CAST.kpi_a,
                    value: qty(4.0),
                    note: None,
                })
                .collect(),
            worked: None,
            not_worked: None,
            adjustments: None,
            next_review_on: Some(day("2025-12-15")),
            start_next_cycle: next,
        },
        Move::AddExpert => Command::AddTeamMember {
            case_id: c,
            supporter_id: CAST.expert,
            role: TeamRole::Expert,
            on,
            dispatch_purpose: None,
            until: None,
        },
        Move::RemoveExpert => Command::RemoveTeamMember {
            case_id: c,
            supporter_id: CAST.expert,
            on,
            reason: None,
        },
        Move::Request(h) => {
            let mut cmd = CAST.request_handover(if case.holder == Some(CAST.yorozu) {
                CAST.shinkin
            } else {
                CAST.yorozu
            });
            if let Command::RequestHandover {
                handover_id,
                issues,
                ..
            } = &mut cmd
            {
                *handover_id = handover(h);
                issues.clear();
            }
            cmd
        }
        Move::Accept(h) => {
            return (
                receiver(case, h),
                Command::AcceptHandover {
                    case_id: c,
                    handover_id: handover(h),
                    on,
                },
            );
        }
        Move::Decline(h) => {
            return (
                receiver(case, h),
                Command::DeclineHandover {
                    case_id: c,
                    handover_id: handover(h),
                    on,
                    reason: reason("人手不足"),
                },
            );
        }
        Move::Withdraw(h) => Command::WithdrawHandover {
            case_id: c,
            handover_id: handover(h),
            on,
            reason: reason("取下げ"),
        },
        Move::SelfRunning => Command::ReachSelfRunning {
            case_id: c,
            on,
            evidence: text("自走"),
        },
        Move::Close => Command::CloseCase {
            case_id: c,
            on,
            outcome: ClosingOutcome::GoalAchieved,
            note: None,
        },
        Move::Reopen => Command::ReopenCase {
            case_id: c,
            on,
            reason: reason("再開"),
        },
        Move::WithdrawConsent => Command::WithdrawConsent {
            case_id: c,
            on,
            reason: None,
        },
    };
    (as_(holder), cmd)
}

fn receiver(case: &CaseState, h: u8) -> Actor {
    match case.handovers.get(&handover(h)).map(|h| h.to_agency) {
        Some(a) if a == CAST.yorozu => as_(CAST.yorozu_coordinator),
        _ => as_(CAST.hub),
    }
}

fn check_invariants(case: &CaseState) {
    let pending = case
        .handovers
        .values()
        .filter(|h| h.status == HandoverStatus::Requested)
        .count();
    assert!(pending <= 1, "at most one pending handover");
    assert!(matches!(case.holder, Some(a) if a == CAST.shinkin || a == CAST.yorozu));
    assert!(case.cycle >= 1);
    for m in case.measures.values() {
        assert!(m.due_on >= m.starts_on);
        assert!(
            m.issues.iter().all(|i| case.issues.contains_key(i)),
            "measures address known issues"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn replaying_the_stored_events_gives_the_state_built_one_decision_at_a_time(
        plan in prop::collection::vec(moves(), 1..60)
    ) {
        let history = CAST.started();
        let mut directory = Directory::from_events(&history);
        let case_key = StreamKey::Case(CAST.case);
        let mut case_log: Vec<Envelope> = Vec::new();
        let today = day(TODAY);
        for mv in &plan {
            let before = directory.case(CAST.case).unwrap().clone();
            let (actor, cmd) = command(mv, &before);
            let ctx = Context { actor, today, directory: &directory };
            match decide(&cmd, &ctx) {
                Ok(envelopes) => {
                    for e in &envelopes {
                        directory.apply(&e.event);
                        if e.event.stream() == case_key {
                            case_log.push(e.clone());
                        }
                    }
                }
                Err(_) => prop_assert_eq!(directory.case(CAST.case).unwrap(), &before, "a refusal changes nothing"),
            }
            check_invariants(directory.case(CAST.case).unwrap());
        }
        // Replay: the case's events from the start, each through its stored JSON form.
        let mut replayed: Vec<_> = history.iter().filter(|e| e.stream() == case_key).cloned().collect();
        for e in &case_log {
            let payload = e.to_payload().unwrap();
            let back = Envelope::from_payload(e.event_type(), payload.get()).unwrap();
            prop_assert_eq!(&back, e);
            replayed.push(back.event);
        }
        let rebuilt = CaseState::fold(&replayed);
        prop_assert_eq!(&rebuilt, directory.case(CAST.case).unwrap());
    }
}
