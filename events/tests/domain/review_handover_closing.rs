//! Check / act and the end of the flow: reviews against KPI targets and the next PDCA cycle,
//! the supporter in charge, handovers between agencies (requested → accepted / declined /
//! withdrawn → completed), self-running, closing and reopening, and collecting the case as a
//! good practice or a failure.

use banso_events::domain::command::{Command, FindingInput, KpiInput};
use banso_events::domain::event::{DomainEvent, KpiFinding, MeasureOwner};
use banso_events::domain::ids::{AgencyId, HandoverId, IssueId, KpiId, MeasureId, SupporterId};
use banso_events::domain::vocab::{
    ClosingOutcome, MeasureKind, Priority, Purpose, TeamRole, Theme, Wall,
};

use crate::support::*;

// ---------------------------------------------------------------- helpers

const MEASURE_B: MeasureId = MeasureId(uuid::Uuid::from_u128(0x3ea2));
const DEFECT_RATE: KpiId = KpiId(uuid::Uuid::from_u128(0x4b12));

fn review(on: &str, findings: Vec<FindingInput>) -> Command {
    Command::HoldReview {
        case_id: CAST.case,
        on: day(on),
        findings,
        worked: Some(text("原価表を毎月の会議で使うようになった")),
        not_worked: None,
        adjustments: Some(text("赤字製品の値上げ交渉を次の施策にする")),
        next_review_on: Some(day("2025-09-30")),
        start_next_cycle: false,
    }
}

fn finding(measure_id: MeasureId, kpi_id: KpiId, value: f64) -> FindingInput {
    FindingInput {
        measure_id,
        kpi_id,
        value: qty(value),
        note: None,
    }
}

/// Measure A executing, and measure B (against issue B) with a KPI to decrease: 不良率 5% → 2%.
fn two_measures() -> Vec<DomainEvent> {
    CAST.then_run(
        CAST.executing(),
        as_(CAST.hub),
        &Command::PrescribeMeasure {
            case_id: CAST.case,
            on: day("2025-04-24"),
            measure_id: MEASURE_B,
            issues: vec![CAST.issue_b],
            kind: MeasureKind::Training,
            title: title("品質改善の社内研修"),
            description: None,
            owner: MeasureOwner::Company {
                person: None,
                team: Some(name("品質改善チーム")),
            },
            starts_on: day("2025-05-15"),
            due_on: day("2025-08-31"),
            kpis: vec![KpiInput {
                kpi_id: DEFECT_RATE,
                name: title("不良率"),
                unit: line("%"),
                baseline: qty(5.0),
                target: qty(2.0),
            }],
        },
    )
}

/// Measure A executing and one review held on 2025-06-20.
fn reviewed() -> Vec<DomainEvent> {
    CAST.then_run(
        CAST.executing(),
        as_(CAST.hub),
        &review("2025-06-20", vec![finding(CAST.measure_a, CAST.kpi_a, 3.0)]),
    )
}

fn join(history: Vec<DomainEvent>, supporter_id: SupporterId, role: TeamRole) -> Vec<DomainEvent> {
    CAST.then_run(
        history,
        as_(CAST.hub),
        &Command::AddTeamMember {
            case_id: CAST.case,
            supporter_id,
            role,
            on: day("2025-05-10"),
            dispatch_purpose: None,
            until: None,
        },
    )
}

fn withdraw_consent(history: Vec<DomainEvent>, on: &str) -> Vec<DomainEvent> {
    CAST.then_run(
        history,
        as_(CAST.hub),
        &Command::WithdrawConsent {
            case_id: CAST.case,
            on: day(on),
            reason: Some(reason("社長が情報共有に不安を感じたため")),
        },
    )
}

/// The consent of the scenarios without one purpose, recorded on 2025-05-01.
fn consent_without(history: Vec<DomainEvent>, purpose: Purpose) -> Vec<DomainEvent> {
    let mut consent = CAST.consent();
    consent.purposes.retain(|p| *p != purpose);
    CAST.then_run(
        history,
        as_(CAST.hub),
        &Command::AmendConsent {
            case_id: CAST.case,
            on: day("2025-05-01"),
            consent,
            owner: person("川口 一郎"),
        },
    )
}

fn request_to(handover_id: HandoverId, to_agency: AgencyId) -> Command {
    let Command::RequestHandover {
        case_id,
        on,
        reason,
        summary,
        issues,
        ..
    } = CAST.request_handover(to_agency)
    else {
        unreachable!()
    };
    Command::RequestHandover {
        case_id,
        handover_id,
        to_agency,
        on,
        reason,
        summary,
        issues,
        sender_stays: false,
    }
}

fn request_with_issues(issues: Vec<IssueId>) -> Command {
    let Command::RequestHandover {
        case_id,
        handover_id,
        to_agency,
        on,
        reason,
        summary,
        ..
    } = CAST.request_handover(CAST.yorozu)
    else {
        unreachable!()
    };
    Command::RequestHandover {
        case_id,
        handover_id,
        to_agency,
        on,
        reason,
        summary,
        issues,
        sender_stays: false,
    }
}

fn accept(on: &str) -> Command {
    Command::AcceptHandover {
        case_id: CAST.case,
        handover_id: CAST.handover,
        on: day(on),
    }
}

fn decline() -> Command {
    Command::DeclineHandover {
        case_id: CAST.case,
        handover_id: CAST.handover,
        on: day("2025-06-05"),
        reason: reason("担当コーディネーターの空きがないため"),
    }
}

fn withdraw_handover() -> Command {
    Command::WithdrawHandover {
        case_id: CAST.case,
        handover_id: CAST.handover,
        on: day("2025-06-04"),
        reason: reason("社長が当面は信用金庫との支援継続を希望"),
    }
}

fn complete_handover() -> Command {
    Command::CompleteHandover {
        case_id: CAST.case,
        handover_id: CAST.handover,
        on: day("2025-06-20"),
        outcome: reason("初回面談を終え、販路開拓の支援計画を共有した"),
    }
}

/// The handover to よろず支援拠点 accepted by its coordinator on 2025-06-05.
fn handover_accepted() -> Vec<DomainEvent> {
    CAST.then_run(
        CAST.handover_requested(),
        as_(CAST.yorozu_coordinator),
        &accept("2025-06-05"),
    )
}

fn new_issue(issue_id: IssueId) -> Command {
    CAST.set_issue(issue_id, "新規顧客が開拓できていない", vec![Wall::Lacking])
}

fn close(on: &str) -> Command {
    Command::CloseCase {
        case_id: CAST.case,
        on: day(on),
        outcome: ClosingOutcome::GoalAchieved,
        note: None,
    }
}

fn reopen() -> Command {
    Command::ReopenCase {
        case_id: CAST.case,
        on: day("2025-06-25"),
        reason: reason("社長の体調が回復し、支援再開の依頼があった"),
    }
}

fn self_running(on: &str) -> Command {
    Command::ReachSelfRunning {
        case_id: CAST.case,
        on: day(on),
        evidence: text("社長が自ら月次で原価表を見直し、値上げ交渉を進めている"),
    }
}

fn nominate() -> Command {
    nominate_under(vec![Theme::ManagementImprovement, Theme::Productivity])
}

fn nominate_under(themes: Vec<Theme>) -> Command {
    Command::NominateGoodPractice {
        case_id: CAST.case,
        on: day("2025-06-28"),
        themes,
        reasons: text("原価の見える化で社長の意思決定が変わった"),
    }
}

fn record_failure() -> Command {
    Command::RecordFailureCase {
        case_id: CAST.case,
        on: day("2025-06-28"),
        walls: vec![Wall::NotFollowing],
        reasons: text("現場の協力が得られず、日報が定着しなかった"),
        lessons: Some(text("早い段階で工場長を巻き込むべきだった")),
    }
}

// ---------------------------------------------------------------- HoldReview

#[test]
fn a_review_needs_at_least_one_measure() {
    given(CAST.with_issues())
        .when(as_(CAST.hub), review("2025-06-20", vec![]))
        .then_refused("review_without_measures");
}

#[test]
fn a_review_finds_whether_each_kpi_reached_its_target_in_its_direction() {
    // 営業利益率 2% → 5% (increase): 4.0 falls short; 不良率 5% → 2% (decrease): 1.8 reaches it.
    given(two_measures())
        .when(
            as_(CAST.hub),
            review(
                "2025-06-20",
                vec![
                    finding(CAST.measure_a, CAST.kpi_a, 4.0),
                    FindingInput {
                        note: Some(reason("検査工程の見直しが効いた")),
                        ..finding(MEASURE_B, DEFECT_RATE, 1.8)
                    },
                ],
            ),
        )
        .then(vec![DomainEvent::ReviewHeld {
            case_id: CAST.case,
            cycle: 1,
            on: day("2025-06-20"),
            findings: vec![
                KpiFinding {
                    measure_id: CAST.measure_a,
                    kpi_id: CAST.kpi_a,
                    value: qty(4.0),
                    target: qty(5.0),
                    achieved: false,
                    note: None,
                },
                KpiFinding {
                    measure_id: MEASURE_B,
                    kpi_id: DEFECT_RATE,
                    value: qty(1.8),
                    target: qty(2.0),
                    achieved: true,
                    note: Some(reason("検査工程の見直しが効いた")),
                },
            ],
            worked: Some(text("原価表を毎月の会議で使うようになった")),
            not_worked: None,
            adjustments: Some(text("赤字製品の値上げ交渉を次の施策にする")),
            next_review_on: Some(day("2025-09-30")),
            next_cycle: None,
        }]);
}

#[test]
fn a_kpi_that_reaches_its_target_exactly_is_achieved_and_one_that_moves_the_wrong_way_is_not() {
    let events = given(two_measures())
        .when(
            as_(CAST.hub),
            review(
                "2025-06-20",
                vec![
                    finding(CAST.measure_a, CAST.kpi_a, 5.0),
                    finding(MEASURE_B, DEFECT_RATE, 6.5),
                ],
            ),
        )
        .events();
    let [DomainEvent::ReviewHeld { findings, .. }] = &events[..] else {
        panic!("one review: {events:?}")
    };
    let achieved: Vec<_> = findings.iter().map(|f| f.achieved).collect();
    assert_eq!(achieved, vec![true, false]);
}

#[test]
fn a_review_finds_only_kpis_of_the_case_each_once() {
    let refusal = given(two_measures())
        .when(
            as_(CAST.hub),
            review(
                "2025-06-20",
                vec![finding(CAST.measure_a, DEFECT_RATE, 1.0)],
            ),
        )
        .then_refused("kpi_not_found");
    assert_eq!(refusal.field.as_deref(), Some("findings[0].kpiId"));
    let refusal = given(two_measures())
        .when(
            as_(CAST.hub),
            review(
                "2025-06-20",
                vec![finding(MeasureId::new(), CAST.kpi_a, 1.0)],
            ),
        )
        .then_refused("measure_not_found");
    assert_eq!(refusal.field.as_deref(), Some("findings[0].measureId"));
    given(two_measures())
        .when(
            as_(CAST.hub),
            review(
                "2025-06-20",
                vec![
                    finding(CAST.measure_a, CAST.kpi_a, 3.0),
                    finding(CAST.measure_a, CAST.kpi_a, 3.5),
                ],
            ),
        )
        .then_invalid("findings[1]");
}

#[test]
fn the_next_review_comes_after_this_one() {
    let with_next = |next: &str| Command::HoldReview {
        case_id: CAST.case,
        on: day("2025-06-20"),
        findings: vec![],
        worked: None,
        not_worked: None,
        adjustments: None,
        next_review_on: Some(day(next)),
        start_next_cycle: false,
    };
    given(CAST.executing())
        .when(as_(CAST.hub), with_next("2025-06-20"))
        .then_invalid("nextReviewOn");
    given(CAST.executing())
        .when(as_(CAST.hub), with_next("2025-06-19"))
        .then_invalid("nextReviewOn");
    given(CAST.executing())
        .when(as_(CAST.hub), with_next("2025-06-21"))
        .events();
}

#[test]
fn a_review_is_not_dated_in_the_future() {
    given(CAST.executing())
        .when(as_(CAST.hub), review("2025-07-01", vec![]))
        .then_invalid("on");
}

#[test]
fn a_review_that_starts_the_next_cycle_sets_later_issues_in_cycle_two() {
    let next_cycle_review = |on: &str| Command::HoldReview {
        case_id: CAST.case,
        on: day(on),
        findings: vec![],
        worked: None,
        not_worked: Some(text("社員への共有が進まなかった")),
        adjustments: None,
        next_review_on: None,
        start_next_cycle: true,
    };
    let events = given(CAST.executing())
        .when(as_(CAST.hub), next_cycle_review("2025-06-20"))
        .then(vec![DomainEvent::ReviewHeld {
            case_id: CAST.case,
            cycle: 1,
            on: day("2025-06-20"),
            findings: vec![],
            worked: None,
            not_worked: Some(text("社員への共有が進まなかった")),
            adjustments: None,
            next_review_on: None,
            next_cycle: Some(2),
        }]);
    let mut history = CAST.executing();
    history.extend(events.into_iter().map(|e| e.event));
    let issue_id = IssueId::new();
    given(history.clone())
        .when(as_(CAST.hub), new_issue(issue_id))
        .then(vec![DomainEvent::IssueSet {
            case_id: CAST.case,
            on: day("2025-04-24"),
            issue_id,
            cycle: 2,
            title: title("新規顧客が開拓できていない"),
            description: None,
            theme: Theme::ManagementImprovement,
            walls: vec![Wall::Lacking],
            priority: Priority::High,
            owner_agrees: true,
        }]);
    // A review in cycle two needs a measure of cycle two; with one, it says so, and the cycle
    // after it is three.
    given(history.clone())
        .when(as_(CAST.hub), next_cycle_review("2025-06-28"))
        .then_refused("review_without_measures");
    let history = CAST.then_run(history, as_(CAST.hub), &new_issue(issue_id));
    let history = CAST.then_run(
        history,
        as_(CAST.hub),
        &CAST.prescribe(MeasureId::new(), vec![issue_id]),
    );
    let events = given(history)
        .when(as_(CAST.hub), next_cycle_review("2025-06-28"))
        .events();
    assert!(matches!(
        &events[..],
        [DomainEvent::ReviewHeld {
            cycle: 2,
            next_cycle: Some(3),
            ..
        }]
    ));
}

// ---------------------------------------------------------------- ChangeSupporterInCharge

fn change_to(to: SupporterId) -> Command {
    Command::ChangeSupporterInCharge {
        case_id: CAST.case,
        to,
        on: day("2025-06-01"),
        reason: Some(reason("人事異動のため")),
    }
}

#[test]
fn the_supporter_in_charge_changes_within_the_holding_agency() {
    given(CAST.executing())
        .when(as_(CAST.hub), change_to(CAST.colleague))
        .then(vec![DomainEvent::SupporterInChargeChanged {
            case_id: CAST.case,
            from: CAST.hub,
            to: CAST.colleague,
            on: day("2025-06-01"),
            reason: Some(reason("人事異動のため")),
        }]);
}

#[test]
fn the_supporter_in_charge_is_not_from_another_agency() {
    let history = join(CAST.executing(), CAST.expert, TeamRole::Expert);
    given(history.clone())
        .when(as_(CAST.hub), change_to(CAST.expert))
        .then_invalid("to");
    given(history)
        .when(as_(CAST.hub), change_to(CAST.yorozu_coordinator))
        .then_invalid("to");
}

#[test]
fn changing_the_supporter_in_charge_to_the_same_supporter_changes_nothing() {
    given(CAST.executing())
        .when(as_(CAST.hub), change_to(CAST.hub))
        .then_refused("no_change");
}

#[test]
fn only_the_holding_agency_changes_the_supporter_in_charge() {
    let history = join(CAST.executing(), CAST.expert, TeamRole::Expert);
    let refusal = given(history)
        .when(as_(CAST.expert), change_to(CAST.colleague))
        .then_forbidden();
    assert_eq!(refusal.rule, "holder_only");
}

// ---------------------------------------------------------------- RequestHandover

#[test]
fn a_handover_goes_to_an_agency_the_consent_covers() {
    given(CAST.executing())
        .when(as_(CAST.hub), CAST.request_handover(CAST.yorozu))
        .then(vec![DomainEvent::HandoverRequested {
            case_id: CAST.case,
            handover_id: CAST.handover,
            from_agency: CAST.shinkin,
            to_agency: CAST.yorozu,
            on: day("2025-06-01"),
            reason: reason("販路開拓の専門支援が必要になったため"),
            summary: text("原価計算は定着。次は新規顧客の開拓。"),
            issues: vec![CAST.issue_b],
            sender_stays: false,
        }]);
    given(CAST.executing())
        .when(as_(CAST.hub), CAST.request_handover(CAST.chamber))
        .then_refused("consent_does_not_cover");
}

#[test]
fn a_handover_is_not_requested_once_the_consent_has_expired() {
    given(CAST.executing())
        .today("2027-01-10")
        .when(
            as_(CAST.hub),
            Command::RequestHandover {
                case_id: CAST.case,
                handover_id: CAST.handover,
                to_agency: CAST.yorozu,
                on: day("2027-01-05"),
                reason: reason("販路開拓の専門支援が必要になったため"),
                summary: text("原価計算は定着。次は新規顧客の開拓。"),
                issues: vec![CAST.issue_b],
                sender_stays: false,
            },
        )
        .then_refused("consent_does_not_cover");
}

#[test]
fn only_one_handover_can_be_pending() {
    given(CAST.handover_requested())
        .when(as_(CAST.hub), request_to(HandoverId::new(), CAST.yorozu))
        .then_refused("handover_pending");
    given(CAST.handover_requested())
        .when(as_(CAST.hub), CAST.request_handover(CAST.yorozu))
        .then_refused("handover_exists");
}

#[test]
fn a_withdrawn_consent_stops_handovers() {
    given(withdraw_consent(CAST.executing(), "2025-05-30"))
        .when(as_(CAST.hub), CAST.request_handover(CAST.yorozu))
        .then_refused("consent_withdrawn");
}

#[test]
fn a_consent_without_the_handover_purpose_stops_handovers() {
    given(consent_without(CAST.executing(), Purpose::Handover))
        .when(as_(CAST.hub), CAST.request_handover(CAST.yorozu))
        .then_refused("consent_does_not_cover");
}

#[test]
fn a_case_is_not_handed_over_to_its_own_agency() {
    given(CAST.executing())
        .when(as_(CAST.hub), CAST.request_handover(CAST.shinkin))
        .then_invalid("toAgency");
}

#[test]
fn a_handover_goes_to_a_registered_agency() {
    let refusal = given(CAST.executing())
        .when(as_(CAST.hub), CAST.request_handover(AgencyId::new()))
        .then_refused("agency_not_found");
    assert_eq!(refusal.field.as_deref(), Some("toAgency"));
}

#[test]
fn the_issues_handed_over_are_open_issues_of_the_case() {
    let dropped = CAST.then_run(
        CAST.executing(),
        as_(CAST.hub),
        &Command::DropIssue {
            case_id: CAST.case,
            on: day("2025-04-24"),
            issue_id: CAST.issue_b,
            reason: reason("社長と話し合い、今期は原価に集中すると決めた"),
        },
    );
    let refusal = given(dropped)
        .when(as_(CAST.hub), CAST.request_handover(CAST.yorozu))
        .then_refused("issue_not_open");
    assert_eq!(refusal.field.as_deref(), Some("issues[0]"));
    given(CAST.executing())
        .when(as_(CAST.hub), request_with_issues(vec![IssueId::new()]))
        .then_refused("issue_not_found");
    given(CAST.executing())
        .when(
            as_(CAST.hub),
            request_with_issues(vec![CAST.issue_a, CAST.issue_a]),
        )
        .then_invalid("issues");
}

#[test]
fn only_the_holding_agency_requests_a_handover() {
    let history = join(CAST.executing(), CAST.expert, TeamRole::Expert);
    let refusal = given(history)
        .when(as_(CAST.expert), CAST.request_handover(CAST.yorozu))
        .then_forbidden();
    assert_eq!(refusal.rule, "holder_only");
    let refusal = given(CAST.executing())
        .when(
            as_(CAST.yorozu_coordinator),
            CAST.request_handover(CAST.yorozu),
        )
        .then_forbidden();
    assert_eq!(refusal.rule, "not_on_case");
}

#[test]
fn no_handover_before_the_start_line() {
    given(CAST.discovered())
        .when(as_(CAST.hub), request_with_issues(vec![]))
        .then_refused("before_start_line");
}

// ---------------------------------------------------------------- AcceptHandover

#[test]
fn the_receiving_agency_accepts_a_handover() {
    given(CAST.handover_requested())
        .when(as_(CAST.yorozu_coordinator), accept("2025-06-05"))
        .then(vec![DomainEvent::HandoverAccepted {
            case_id: CAST.case,
            handover_id: CAST.handover,
            on: day("2025-06-05"),
            by: CAST.yorozu_coordinator,
        }]);
}

#[test]
fn only_the_receiving_agency_accepts_or_declines() {
    for command in [accept("2025-06-05"), decline()] {
        let refusal = given(CAST.handover_requested())
            .when(as_(CAST.hub), command.clone())
            .then_forbidden();
        assert_eq!(refusal.rule, "receiver_only");
        given(CAST.handover_requested())
            .when(as_(CAST.chamber_advisor), command)
            .then_forbidden();
    }
}

#[test]
fn accepting_a_handover_moves_the_case_to_the_receiving_agency() {
    let history = handover_accepted();
    let issue_id = IssueId::new();
    let events = given(history.clone())
        .when(as_(CAST.yorozu_coordinator), new_issue(issue_id))
        .events();
    assert!(matches!(&events[..], [DomainEvent::IssueSet { .. }]));
    // The coordinator is now in charge: a change goes from them.
    let refusal = given(history.clone())
        .when(
            as_(CAST.yorozu_coordinator),
            change_to(CAST.yorozu_coordinator),
        )
        .then_refused("no_change");
    assert!(refusal.message.contains("既に"));
    // The hub supporter of the shinkin bank is no longer holder nor on the team.
    let refusal = given(history)
        .when(as_(CAST.hub), new_issue(issue_id))
        .then_forbidden();
    assert_eq!(refusal.rule, "not_on_case");
}

#[test]
fn a_consent_withdrawn_after_the_request_withdraws_the_handover() {
    let events = given(CAST.handover_requested())
        .when(
            as_(CAST.hub),
            Command::WithdrawConsent {
                case_id: CAST.case,
                on: day("2025-06-03"),
                reason: None,
            },
        )
        .events();
    assert!(matches!(events[0], DomainEvent::ConsentWithdrawn { .. }));
    assert!(
        matches!(events[1], DomainEvent::HandoverWithdrawn { handover_id, .. } if handover_id == CAST.handover),
        "{events:?}"
    );
    let history = withdraw_consent(CAST.handover_requested(), "2025-06-03");
    given(history)
        .when(as_(CAST.yorozu_coordinator), accept("2025-06-05"))
        .then_refused("handover_not_pending");
}

#[test]
fn a_handover_is_answered_once() {
    given(handover_accepted())
        .when(as_(CAST.yorozu_coordinator), accept("2025-06-06"))
        .then_refused("handover_not_pending");
    given(handover_accepted())
        .when(as_(CAST.yorozu_coordinator), decline())
        .then_refused("handover_not_pending");
}

#[test]
fn a_handover_is_answered_on_or_after_the_request() {
    given(CAST.handover_requested())
        .when(as_(CAST.yorozu_coordinator), accept("2025-05-31"))
        .then_invalid("on");
    given(CAST.handover_requested())
        .when(as_(CAST.yorozu_coordinator), accept("2025-07-01"))
        .then_invalid("on");
}

#[test]
fn an_unknown_handover_is_not_answered() {
    let refusal = given(CAST.handover_requested())
        .when(
            as_(CAST.hub),
            Command::WithdrawHandover {
                case_id: CAST.case,
                handover_id: HandoverId::new(),
                on: day("2025-06-04"),
                reason: reason("社長が当面は信用金庫との支援継続を希望"),
            },
        )
        .then_refused("handover_not_found");
    assert_eq!(refusal.field.as_deref(), Some("handoverId"));
}

// ---------------------------------------------------------------- DeclineHandover

#[test]
fn a_declined_case_stays_with_the_sender() {
    let declined = given(CAST.handover_requested())
        .when(as_(CAST.yorozu_coordinator), decline())
        .then(vec![DomainEvent::HandoverDeclined {
            case_id: CAST.case,
            handover_id: CAST.handover,
            on: day("2025-06-05"),
            by: CAST.yorozu_coordinator,
            reason: reason("担当コーディネーターの空きがないため"),
        }]);
    let mut history = CAST.handover_requested();
    history.extend(declined.into_iter().map(|e| e.event));
    given(history.clone())
        .when(as_(CAST.hub), new_issue(IssueId::new()))
        .events();
    let refusal = given(history.clone())
        .when(as_(CAST.yorozu_coordinator), new_issue(IssueId::new()))
        .then_forbidden();
    assert_eq!(refusal.rule, "not_on_case");
    // Nothing is pending any more: the sender may ask again.
    given(history)
        .when(as_(CAST.hub), request_to(HandoverId::new(), CAST.yorozu))
        .events();
}

// ---------------------------------------------------------------- WithdrawHandover

#[test]
fn the_sender_withdraws_a_pending_handover() {
    given(CAST.handover_requested())
        .when(as_(CAST.hub), withdraw_handover())
        .then(vec![DomainEvent::HandoverWithdrawn {
            case_id: CAST.case,
            handover_id: CAST.handover,
            on: day("2025-06-04"),
            reason: reason("社長が当面は信用金庫との支援継続を希望"),
        }]);
    let withdrawn = CAST.then_run(
        CAST.handover_requested(),
        as_(CAST.hub),
        &withdraw_handover(),
    );
    given(withdrawn.clone())
        .when(as_(CAST.yorozu_coordinator), accept("2025-06-05"))
        .then_refused("handover_not_pending");
    given(withdrawn)
        .when(as_(CAST.hub), withdraw_handover())
        .then_refused("handover_not_pending");
}

#[test]
fn only_the_sender_withdraws_a_handover() {
    given(CAST.handover_requested())
        .when(as_(CAST.yorozu_coordinator), withdraw_handover())
        .then_forbidden();
}

// ---------------------------------------------------------------- CompleteHandover

#[test]
fn the_new_holder_completes_an_accepted_handover() {
    given(handover_accepted())
        .when(as_(CAST.yorozu_coordinator), complete_handover())
        .then(vec![DomainEvent::HandoverCompleted {
            case_id: CAST.case,
            handover_id: CAST.handover,
            on: day("2025-06-20"),
            outcome: reason("初回面談を終え、販路開拓の支援計画を共有した"),
        }]);
    let completed = CAST.then_run(
        handover_accepted(),
        as_(CAST.yorozu_coordinator),
        &complete_handover(),
    );
    given(completed)
        .when(as_(CAST.yorozu_coordinator), complete_handover())
        .then_refused("handover_not_accepted");
}

#[test]
fn a_handover_is_completed_only_after_acceptance() {
    given(CAST.handover_requested())
        .when(as_(CAST.hub), complete_handover())
        .then_refused("handover_not_accepted");
    let declined = CAST.then_run(
        CAST.handover_requested(),
        as_(CAST.yorozu_coordinator),
        &decline(),
    );
    given(declined)
        .when(as_(CAST.hub), complete_handover())
        .then_refused("handover_not_accepted");
}

#[test]
fn the_sender_does_not_complete_a_handover() {
    given(handover_accepted())
        .when(as_(CAST.hub), complete_handover())
        .then_forbidden();
}

// ---------------------------------------------------------------- ReachSelfRunning

#[test]
fn self_running_is_reached_after_a_review() {
    given(CAST.executing())
        .when(as_(CAST.hub), self_running("2025-06-25"))
        .then_refused("self_running_without_review");
    given(reviewed())
        .when(as_(CAST.hub), self_running("2025-06-25"))
        .then(vec![DomainEvent::SelfRunningReached {
            case_id: CAST.case,
            on: day("2025-06-25"),
            evidence: text("社長が自ら月次で原価表を見直し、値上げ交渉を進めている"),
        }]);
}

#[test]
fn self_running_is_reached_once() {
    let history = CAST.then_run(reviewed(), as_(CAST.hub), &self_running("2025-06-25"));
    given(history)
        .when(as_(CAST.hub), self_running("2025-06-28"))
        .then_refused("already_self_running");
}

// ---------------------------------------------------------------- CloseCase

#[test]
fn the_holding_agency_closes_the_case_with_its_outcome() {
    given(reviewed())
        .when(
            as_(CAST.hub),
            Command::CloseCase {
                case_id: CAST.case,
                on: day("2025-06-28"),
                outcome: ClosingOutcome::GoalAchieved,
                note: Some(reason("営業利益率が目標に届いた")),
            },
        )
        .then(vec![DomainEvent::CaseClosed {
            case_id: CAST.case,
            on: day("2025-06-28"),
            outcome: ClosingOutcome::GoalAchieved,
            note: Some(reason("営業利益率が目標に届いた")),
        }]);
    let refusal = given(join(CAST.executing(), CAST.expert, TeamRole::Expert))
        .when(as_(CAST.expert), close("2025-06-28"))
        .then_forbidden();
    assert_eq!(refusal.rule, "holder_only");
}

#[test]
fn a_closed_case_accepts_nothing_but_reopening() {
    let closed = CAST.closed();
    for command in [
        new_issue(IssueId::new()),
        Command::StartMeasure {
            case_id: CAST.case,
            measure_id: CAST.measure_a,
            on: day("2025-06-25"),
        },
        CAST.request_handover(CAST.yorozu),
        close("2025-06-25"),
    ] {
        given(closed.clone())
            .when(as_(CAST.hub), command)
            .then_refused("case_closed");
    }
    given(closed)
        .when(as_(CAST.hub), reopen())
        .then(vec![DomainEvent::CaseReopened {
            case_id: CAST.case,
            on: day("2025-06-25"),
            reason: reason("社長の体調が回復し、支援再開の依頼があった"),
        }]);
}

#[test]
fn a_case_with_a_pending_handover_is_not_closed() {
    given(CAST.handover_requested())
        .when(as_(CAST.hub), close("2025-06-10"))
        .then_refused("handover_pending");
}

// ---------------------------------------------------------------- ReopenCase

#[test]
fn an_open_case_is_not_reopened() {
    given(CAST.executing())
        .when(as_(CAST.hub), reopen())
        .then_refused("case_not_closed");
}

#[test]
fn a_reopened_case_takes_work_again_and_is_no_longer_self_running() {
    let history = CAST.then_run(reviewed(), as_(CAST.hub), &self_running("2025-06-21"));
    let history = CAST.then_run(history, as_(CAST.hub), &close("2025-06-22"));
    let history = CAST.then_run(history, as_(CAST.hub), &reopen());
    given(history.clone())
        .when(as_(CAST.hub), new_issue(IssueId::new()))
        .events();
    given(history)
        .when(as_(CAST.hub), self_running("2025-06-28"))
        .events();
}

#[test]
fn only_the_holding_agency_reopens_a_case() {
    let history = join(CAST.executing(), CAST.expert, TeamRole::Expert);
    let history = CAST.then_run(history, as_(CAST.hub), &close("2025-06-20"));
    let refusal = given(history)
        .when(as_(CAST.expert), reopen())
        .then_forbidden();
    assert_eq!(refusal.rule, "holder_only");
}

// ---------------------------------------------------------------- good practice and failure

#[test]
fn a_case_is_nominated_as_a_good_practice_once() {
    given(reviewed())
        .when(as_(CAST.colleague), nominate())
        .then(vec![DomainEvent::GoodPracticeNominated {
            case_id: CAST.case,
            on: day("2025-06-28"),
            by: CAST.colleague,
            themes: vec![Theme::ManagementImprovement, Theme::Productivity],
            reasons: text("原価の見える化で社長の意思決定が変わった"),
        }]);
    let history = CAST.then_run(reviewed(), as_(CAST.hub), &nominate());
    given(history)
        .when(as_(CAST.hub), nominate())
        .then_refused("already_nominated");
}

#[test]
fn a_good_practice_is_nominated_under_at_least_one_theme() {
    given(reviewed())
        .when(as_(CAST.hub), nominate_under(vec![]))
        .then_invalid("themes");
    given(reviewed())
        .when(
            as_(CAST.hub),
            nominate_under(vec![Theme::Productivity, Theme::Productivity]),
        )
        .then_invalid("themes");
}

#[test]
fn a_case_is_recorded_as_a_failure_once() {
    given(CAST.executing())
        .when(as_(CAST.hub), record_failure())
        .then(vec![DomainEvent::FailureCaseRecorded {
            case_id: CAST.case,
            on: day("2025-06-28"),
            by: CAST.hub,
            walls: vec![Wall::NotFollowing],
            reasons: text("現場の協力が得られず、日報が定着しなかった"),
            lessons: Some(text("早い段階で工場長を巻き込むべきだった")),
        }]);
    let history = CAST.then_run(CAST.executing(), as_(CAST.hub), &record_failure());
    given(history)
        .when(as_(CAST.hub), record_failure())
        .then_refused("already_recorded");
}

#[test]
fn collecting_a_case_needs_the_owners_consent_to_it() {
    let without = consent_without(CAST.executing(), Purpose::GoodPractice);
    for command in [nominate(), record_failure()] {
        given(without.clone())
            .when(as_(CAST.hub), command.clone())
            .then_refused("no_collection_consent");
        given(withdraw_consent(CAST.executing(), "2025-06-01"))
            .when(as_(CAST.hub), command)
            .then_refused("no_collection_consent");
    }
}

#[test]
fn a_policy_officer_neither_nominates_nor_records_a_case() {
    for command in [nominate(), record_failure()] {
        let refusal = given(CAST.executing())
            .when(as_(CAST.policy), command)
            .then_forbidden();
        assert_eq!(refusal.rule, "policy_officer_read_only");
    }
}

// ---------------------------------------------------------------- after closing

#[test]
fn a_closed_case_is_still_collected_as_a_good_practice_or_failure_example() {
    given(CAST.closed())
        .when(
            as_(CAST.hub),
            Command::RecordFailureCase {
                case_id: CAST.case,
                on: day("2025-06-25"),
                walls: vec![Wall::NotFacing],
                reasons: text("社長が課題に向き合う前に支援が途切れた。"),
                lessons: None,
            },
        )
        .then(vec![DomainEvent::FailureCaseRecorded {
            case_id: CAST.case,
            on: day("2025-06-25"),
            by: CAST.hub,
            walls: vec![Wall::NotFacing],
            reasons: text("社長が課題に向き合う前に支援が途切れた。"),
            lessons: None,
        }]);
    given(CAST.closed())
        .when(
            as_(CAST.hub),
            Command::NominateGoodPractice {
                case_id: CAST.case,
                on: day("2025-06-25"),
                themes: vec![Theme::ManagementImprovement],
                reasons: text("原価の見える化で赤字製品を特定できた。"),
            },
        )
        .then(vec![DomainEvent::GoodPracticeNominated {
            case_id: CAST.case,
            on: day("2025-06-25"),
            by: CAST.hub,
            themes: vec![Theme::ManagementImprovement],
            reasons: text("原価の見える化で赤字製品を特定できた。"),
        }]);
}

#[test]
fn a_case_is_not_reopened_before_it_was_closed() {
    given(CAST.closed())
        .when(
            as_(CAST.hub),
            Command::ReopenCase {
                case_id: CAST.case,
                on: day("2025-06-19"),
                reason: reason("再開"),
            },
        )
        .then_invalid("on");
}

#[test]
fn closing_as_self_running_needs_self_running_recorded_first() {
    let refusal = given(reviewed())
        .when(
            as_(CAST.hub),
            Command::CloseCase {
                case_id: CAST.case,
                on: day("2025-06-29"),
                outcome: ClosingOutcome::SelfRunning,
                note: None,
            },
        )
        .then_refused("self_running_not_reached");
    assert!(refusal.message.contains("自走化"));
}

#[test]
fn a_measure_is_prescribed_only_for_an_issue_the_owner_agrees_with() {
    let issue_id = IssueId::new();
    let mut set = CAST.set_issue(issue_id, "後継者の育成", vec![Wall::NotFacing]);
    if let Command::SetIssue { owner_agrees, .. } = &mut set {
        *owner_agrees = false;
    }
    let history = CAST.then_run(CAST.started(), as_(CAST.hub), &set);
    let refusal = given(history)
        .when(
            as_(CAST.hub),
            CAST.prescribe(MeasureId::new(), vec![issue_id]),
        )
        .then_refused("owner_not_agreed");
    assert_eq!(refusal.field.as_deref(), Some("issues[0]"));
}

#[test]
fn an_accepted_handover_keeps_a_sender_that_stays_on_the_team() {
    let mut request = CAST.request_handover(CAST.yorozu);
    if let Command::RequestHandover { sender_stays, .. } = &mut request {
        *sender_stays = true;
    }
    let history = CAST.then_run(CAST.executing(), as_(CAST.hub), &request);
    let events = given(history.clone())
        .when(as_(CAST.yorozu_coordinator), accept("2025-06-05"))
        .events();
    assert!(matches!(events[0], DomainEvent::HandoverAccepted { .. }));
    assert!(matches!(
        &events[1],
        DomainEvent::TeamMemberJoined { supporter_id, agency_id, role: TeamRole::AccompanyingSupporter, .. }
            if *supporter_id == CAST.hub && *agency_id == CAST.shinkin
    ));
    // The shinkin hub supporter keeps working on the case beside the new holder.
    let history = CAST.then_run(history, as_(CAST.yorozu_coordinator), &accept("2025-06-05"));
    given(history)
        .when(
            as_(CAST.hub),
            Command::LogProgress {
                case_id: CAST.case,
                measure_id: CAST.measure_a,
                on: day("2025-06-20"),
                note: text("資金繰り表を一緒に更新"),
                percent: None,
            },
        )
        .events();
}

#[test]
fn members_of_the_consenting_agency_stay_on_the_team_after_a_handover() {
    let history = join(
        CAST.executing(),
        CAST.colleague,
        TeamRole::AccompanyingSupporter,
    );
    let history = CAST.then_run(history, as_(CAST.hub), &CAST.request_handover(CAST.yorozu));
    let events = given(history)
        .when(as_(CAST.yorozu_coordinator), accept("2025-06-05"))
        .events();
    assert_eq!(events.len(), 1, "nobody leaves: {events:?}");
}
