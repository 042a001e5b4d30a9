//! The 2nd and 3rd steps: prescribing measures with KPIs, forming the team across agencies
//! within the owner's consent, and carrying measures out (start, progress, stall, resume,
//! complete), with walls overcome and KPIs measured.

use banso_events::domain::command::{Command, KpiInput};
use banso_events::domain::event::{DomainEvent, Kpi, MeasureOwner};
use banso_events::domain::ids::{IssueId, KpiId, MeasureId, SupporterId};
use banso_events::domain::values::{Day, Percent};
use banso_events::domain::vocab::{MeasureKind, TeamRole, Wall};

use crate::support::*;

// ---------------------------------------------------------------- helpers

/// A prescription for a second measure, to be adjusted by each test.
struct Rx {
    measure_id: MeasureId,
    issues: Vec<IssueId>,
    owner: MeasureOwner,
    starts_on: &'static str,
    due_on: &'static str,
    kpis: Vec<KpiInput>,
}

impl Rx {
    fn new() -> Self {
        Rx {
            measure_id: MeasureId::new(),
            issues: vec![CAST.issue_b],
            owner: MeasureOwner::Supporter {
                supporter_id: CAST.hub,
            },
            starts_on: "2025-06-01",
            due_on: "2025-12-31",
            kpis: vec![kpi(KpiId::new(), "改善提案件数", 0.0, 12.0)],
        }
    }

    fn command(self) -> Command {
        Command::PrescribeMeasure {
            case_id: CAST.case,
            on: day("2025-04-24"),
            measure_id: self.measure_id,
            issues: self.issues,
            kind: MeasureKind::Training,
            title: title("社内改善プロジェクトの立ち上げ"),
            description: None,
            owner: self.owner,
            starts_on: day(self.starts_on),
            due_on: day(self.due_on),
            kpis: self.kpis,
        }
    }
}

fn kpi(kpi_id: KpiId, n: &str, baseline: f64, target: f64) -> KpiInput {
    KpiInput {
        kpi_id,
        name: title(n),
        unit: line("件"),
        baseline: qty(baseline),
        target: qty(target),
    }
}

fn as_event(k: &KpiInput) -> Kpi {
    Kpi {
        kpi_id: k.kpi_id,
        name: k.name.clone(),
        unit: k.unit.clone(),
        baseline: k.baseline,
        target: k.target,
    }
}

fn add_member(supporter_id: SupporterId, role: TeamRole) -> Command {
    Command::AddTeamMember {
        case_id: CAST.case,
        supporter_id,
        role,
        on: day("2025-05-10"),
        dispatch_purpose: Some(reason("製品別原価計算の導入支援")),
        until: Some(day("2025-09-30")),
    }
}

fn withdraw_consent(history: Vec<DomainEvent>) -> Vec<DomainEvent> {
    CAST.then_run(
        history,
        as_(CAST.hub),
        &Command::WithdrawConsent {
            case_id: CAST.case,
            on: day("2025-05-08"),
            reason: Some(reason("社長が情報共有に不安を感じたため")),
        },
    )
}

/// Measure A being executed, with the expert of the expert office on the team.
fn executing_with_expert() -> Vec<DomainEvent> {
    CAST.then_run(
        CAST.executing(),
        as_(CAST.hub),
        &add_member(CAST.expert, TeamRole::Expert),
    )
}

fn start(on: &str) -> Command {
    Command::StartMeasure {
        case_id: CAST.case,
        measure_id: CAST.measure_a,
        on: day(on),
    }
}

fn progress(on: &str) -> Command {
    Command::LogProgress {
        case_id: CAST.case,
        measure_id: CAST.measure_a,
        on: day(on),
        note: text("主要3製品の原価を試算した"),
        percent: Some(Percent::new(40).unwrap()),
    }
}

fn stall(on: &str, wall: Wall) -> Command {
    Command::ReportStall {
        case_id: CAST.case,
        measure_id: CAST.measure_a,
        on: day(on),
        wall,
        note: text("現場が日報を書かず、工数が集まらない"),
    }
}

fn resume(on: &str) -> Command {
    Command::ResumeMeasure {
        case_id: CAST.case,
        measure_id: CAST.measure_a,
        on: day(on),
        note: Some(reason("工場長が日報の意義を朝礼で説明した")),
    }
}

fn complete(on: &str) -> Command {
    Command::CompleteMeasure {
        case_id: CAST.case,
        measure_id: CAST.measure_a,
        on: day(on),
        result: Some(text("全製品の原価表が完成し、赤字製品を2つ特定した")),
    }
}

/// Measure A stalled on 2025-05-20 by the wall 実行できない.
fn stalled() -> Vec<DomainEvent> {
    CAST.then_run(
        CAST.executing(),
        as_(CAST.hub),
        &stall("2025-05-20", Wall::CannotExecute),
    )
}

/// Measure A completed on 2025-06-25.
fn completed() -> Vec<DomainEvent> {
    CAST.then_run(CAST.executing(), as_(CAST.hub), &complete("2025-06-25"))
}

/// The five commands that move a measure or log on it, for `measure_id` on `on`.
fn execution_commands(measure_id: MeasureId, on: &str) -> Vec<Command> {
    let with_measure = |mut command: Command| {
        match &mut command {
            Command::StartMeasure { measure_id: m, .. }
            | Command::LogProgress { measure_id: m, .. }
            | Command::ReportStall { measure_id: m, .. }
            | Command::ResumeMeasure { measure_id: m, .. }
            | Command::CompleteMeasure { measure_id: m, .. } => *m = measure_id,
            _ => unreachable!("only execution commands"),
        }
        command
    };
    vec![
        with_measure(start(on)),
        with_measure(progress(on)),
        with_measure(stall(on, Wall::CannotExecute)),
        with_measure(resume(on)),
        with_measure(complete(on)),
    ]
}

fn overcome(issue_id: IssueId, wall: Wall, measure_id: Option<MeasureId>) -> Command {
    Command::OvercomeWall {
        case_id: CAST.case,
        issue_id,
        wall,
        on: day("2025-06-10"),
        how: text("工場長を巻き込み、日報を5分で書ける様式に変えた"),
        measure_id,
    }
}

// ---------------------------------------------------------------- PrescribeMeasure

#[test]
fn a_measure_is_prescribed_for_open_issues_in_the_current_cycle_with_its_kpis() {
    let measure_id = MeasureId::new();
    let kpis = vec![
        kpi(KpiId::new(), "改善提案件数", 0.0, 12.0),
        kpi(KpiId::new(), "不良率", 5.0, 2.0),
    ];
    let owner = MeasureOwner::Company {
        person: Some(CAST.owner),
        team: Some(name("改善プロジェクト")),
    };
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                measure_id,
                issues: vec![CAST.issue_a, CAST.issue_b],
                owner: owner.clone(),
                kpis: kpis.clone(),
                ..Rx::new()
            }
            .command(),
        )
        .then(vec![DomainEvent::MeasurePrescribed {
            case_id: CAST.case,
            on: day("2025-04-24"),
            measure_id,
            cycle: 1,
            issues: vec![CAST.issue_a, CAST.issue_b],
            kind: MeasureKind::Training,
            title: title("社内改善プロジェクトの立ち上げ"),
            description: None,
            owner,
            starts_on: day("2025-06-01"),
            due_on: day("2025-12-31"),
            kpis: kpis.iter().map(as_event).collect(),
        }]);
}

#[test]
fn the_scenario_measure_is_prescribed_by_the_supporter_in_charge() {
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            CAST.prescribe(CAST.measure_a, vec![CAST.issue_a]),
        )
        .then(vec![DomainEvent::MeasurePrescribed {
            case_id: CAST.case,
            on: day("2025-04-24"),
            measure_id: CAST.measure_a,
            cycle: 1,
            issues: vec![CAST.issue_a],
            kind: MeasureKind::BusinessPlanning,
            title: title("製品別原価計算の導入"),
            description: None,
            owner: MeasureOwner::Supporter {
                supporter_id: CAST.hub,
            },
            starts_on: day("2025-05-01"),
            due_on: day("2025-09-30"),
            kpis: vec![kpi_event(&CAST)],
        }]);
}

#[test]
fn a_measure_must_address_an_open_issue_of_the_case() {
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                issues: vec![],
                ..Rx::new()
            }
            .command(),
        )
        .then_invalid("issues");

    let dropped = CAST.then_run(
        CAST.with_issues(),
        as_(CAST.hub),
        &Command::DropIssue {
            case_id: CAST.case,
            on: day("2025-04-24"),
            issue_id: CAST.issue_b,
            reason: reason("社長と話し合い、今期は原価に集中すると決めた"),
        },
    );
    let refusal = given(dropped)
        .when(
            as_(CAST.hub),
            Rx {
                issues: vec![CAST.issue_a, CAST.issue_b],
                ..Rx::new()
            }
            .command(),
        )
        .then_refused("issue_not_open");
    assert_eq!(refusal.field.as_deref(), Some("issues[1]"));

    let refusal = given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                issues: vec![IssueId::new()],
                ..Rx::new()
            }
            .command(),
        )
        .then_refused("issue_not_found");
    assert_eq!(refusal.field.as_deref(), Some("issues[0]"));

    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                issues: vec![CAST.issue_a, CAST.issue_a],
                ..Rx::new()
            }
            .command(),
        )
        .then_invalid("issues");
}

#[test]
fn no_measure_is_prescribed_before_the_start_line() {
    given(CAST.discovered())
        .when(
            as_(CAST.hub),
            CAST.prescribe(CAST.measure_a, vec![CAST.issue_a]),
        )
        .then_refused("before_start_line");
}

#[test]
fn a_measure_id_is_used_once() {
    given(CAST.with_measure())
        .when(
            as_(CAST.hub),
            CAST.prescribe(CAST.measure_a, vec![CAST.issue_b]),
        )
        .then_refused("measure_exists");
}

#[test]
fn a_measure_is_due_on_or_after_its_start() {
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                starts_on: "2025-07-01",
                due_on: "2025-06-30",
                ..Rx::new()
            }
            .command(),
        )
        .then_invalid("dueOn");
    let events = given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                starts_on: "2025-07-01",
                due_on: "2025-07-01",
                ..Rx::new()
            }
            .command(),
        )
        .events();
    assert!(matches!(
        &events[..],
        [DomainEvent::MeasurePrescribed { starts_on, due_on, .. }] if starts_on == due_on
    ));
}

#[test]
fn a_measure_needs_a_kpi_that_aims_somewhere() {
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                kpis: vec![],
                ..Rx::new()
            }
            .command(),
        )
        .then_invalid("kpis");
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                kpis: vec![kpi(KpiId::new(), "改善提案件数", 3.0, 3.0)],
                ..Rx::new()
            }
            .command(),
        )
        .then_invalid("kpis[0].target");
}

#[test]
fn a_kpi_appears_once_in_a_measure_by_id_and_by_name() {
    let same_id = KpiId::new();
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                kpis: vec![
                    kpi(same_id, "改善提案件数", 0.0, 12.0),
                    kpi(same_id, "不良率", 5.0, 2.0),
                ],
                ..Rx::new()
            }
            .command(),
        )
        .then_invalid("kpis[1].kpiId");
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                kpis: vec![
                    kpi(KpiId::new(), "改善提案件数", 0.0, 12.0),
                    kpi(KpiId::new(), "改善提案件数", 0.0, 24.0),
                ],
                ..Rx::new()
            }
            .command(),
        )
        .then_invalid("kpis[1].name");
}

#[test]
fn a_supporter_of_another_agency_owns_a_measure_only_once_on_the_team() {
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                owner: MeasureOwner::Supporter {
                    supporter_id: CAST.expert,
                },
                ..Rx::new()
            }
            .command(),
        )
        .then_invalid("owner.supporterId");

    let with_expert = CAST.then_run(
        CAST.with_issues(),
        as_(CAST.hub),
        &add_member(CAST.expert, TeamRole::Expert),
    );
    given(with_expert)
        .when(
            as_(CAST.hub),
            Rx {
                owner: MeasureOwner::Supporter {
                    supporter_id: CAST.expert,
                },
                ..Rx::new()
            }
            .command(),
        )
        .events();
}

#[test]
fn a_measure_owned_by_the_company_names_a_person_or_a_team() {
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                owner: MeasureOwner::Company {
                    person: None,
                    team: None,
                },
                ..Rx::new()
            }
            .command(),
        )
        .then_invalid("owner");
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            Rx {
                owner: MeasureOwner::Company {
                    person: None,
                    team: Some(name("改善プロジェクト")),
                },
                ..Rx::new()
            }
            .command(),
        )
        .events();
}

#[test]
fn a_supporter_outside_the_case_cannot_prescribe() {
    let refusal = given(CAST.with_issues())
        .when(
            as_(CAST.chamber_advisor),
            CAST.prescribe(CAST.measure_a, vec![CAST.issue_a]),
        )
        .then_forbidden();
    assert_eq!(refusal.rule, "not_on_case");
}

// ---------------------------------------------------------------- AddTeamMember

#[test]
fn the_expert_of_the_office_named_in_the_consent_joins_the_team_as_expert() {
    given(CAST.started())
        .when(as_(CAST.hub), add_member(CAST.expert, TeamRole::Expert))
        .then(vec![DomainEvent::TeamMemberJoined {
            case_id: CAST.case,
            supporter_id: CAST.expert,
            agency_id: CAST.expert_office,
            role: TeamRole::Expert,
            on: day("2025-05-10"),
            dispatch_purpose: Some(reason("製品別原価計算の導入支援")),
            until: Some(day("2025-09-30")),
        }]);
}

#[test]
fn a_supporter_of_an_agency_the_consent_does_not_cover_cannot_join() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            add_member(CAST.chamber_advisor, TeamRole::AccompanyingSupporter),
        )
        .then_refused("consent_does_not_cover");
}

#[test]
fn a_supporter_of_an_agency_covered_by_kind_joins_the_team() {
    let events = given(CAST.started())
        .when(
            as_(CAST.hub),
            add_member(CAST.yorozu_coordinator, TeamRole::PartnerAgency),
        )
        .events();
    assert!(matches!(
        &events[..],
        [DomainEvent::TeamMemberJoined { agency_id, role: TeamRole::PartnerAgency, .. }]
            if *agency_id == CAST.yorozu
    ));
}

#[test]
fn after_the_consent_is_withdrawn_no_one_from_outside_the_agency_joins() {
    let history = withdraw_consent(CAST.started());
    given(history.clone())
        .when(as_(CAST.hub), add_member(CAST.expert, TeamRole::Expert))
        .then_refused("consent_withdrawn");
    // A colleague of the holding agency: the data does not leave the agency.
    given(history)
        .when(
            as_(CAST.hub),
            add_member(CAST.colleague, TeamRole::AccompanyingSupporter),
        )
        .events();
}

#[test]
fn only_a_registered_expert_joins_as_expert() {
    given(CAST.started())
        .when(as_(CAST.hub), add_member(CAST.colleague, TeamRole::Expert))
        .then_invalid("role");
}

#[test]
fn a_member_joins_the_team_once() {
    given(executing_with_expert())
        .when(as_(CAST.hub), add_member(CAST.expert, TeamRole::Expert))
        .then_refused("already_on_team");
}

#[test]
fn only_the_holding_agency_forms_the_team() {
    let refusal = given(executing_with_expert())
        .when(
            as_(CAST.expert),
            add_member(CAST.colleague, TeamRole::AccompanyingSupporter),
        )
        .then_forbidden();
    assert_eq!(refusal.rule, "holder_only");
    let refusal = given(CAST.started())
        .when(
            as_(CAST.chamber_advisor),
            add_member(CAST.chamber_advisor, TeamRole::AccompanyingSupporter),
        )
        .then_forbidden();
    assert_eq!(refusal.rule, "not_on_case");
}

#[test]
fn a_dispatch_ends_on_or_after_the_day_it_starts() {
    let until = |until: &str| Command::AddTeamMember {
        case_id: CAST.case,
        supporter_id: CAST.expert,
        role: TeamRole::Expert,
        on: day("2025-05-10"),
        dispatch_purpose: None,
        until: Some(day(until)),
    };
    given(CAST.started())
        .when(as_(CAST.hub), until("2025-05-09"))
        .then_invalid("until");
    given(CAST.started())
        .when(as_(CAST.hub), until("2025-05-10"))
        .events();
}

#[test]
fn the_team_is_formed_after_the_start_line() {
    given(CAST.discovered())
        .when(as_(CAST.hub), add_member(CAST.expert, TeamRole::Expert))
        .then_refused("before_start_line");
}

#[test]
fn a_departed_supporter_cannot_join() {
    let history = CAST.then_run(
        CAST.started(),
        banso_events::domain::directory::Actor::Operator,
        &Command::RecordSupporterDeparture {
            supporter_id: CAST.expert,
            on: day("2025-05-01"),
        },
    );
    given(history)
        .when(as_(CAST.hub), add_member(CAST.expert, TeamRole::Expert))
        .then_invalid("supporterId");
}

// ---------------------------------------------------------------- RemoveTeamMember

#[test]
fn a_member_who_leaves_the_team_can_no_longer_work_on_the_case() {
    let history = executing_with_expert();
    given(history.clone())
        .when(as_(CAST.expert), progress("2025-06-05"))
        .events();
    let left = given(history.clone())
        .when(
            as_(CAST.hub),
            Command::RemoveTeamMember {
                case_id: CAST.case,
                supporter_id: CAST.expert,
                on: day("2025-06-10"),
                reason: Some(reason("派遣期間の終了")),
            },
        )
        .then(vec![DomainEvent::TeamMemberLeft {
            case_id: CAST.case,
            supporter_id: CAST.expert,
            on: day("2025-06-10"),
            reason: Some(reason("派遣期間の終了")),
        }]);
    let mut after = history;
    after.extend(left.into_iter().map(|e| e.event));
    let refusal = given(after)
        .when(as_(CAST.expert), progress("2025-06-12"))
        .then_forbidden();
    assert_eq!(refusal.rule, "not_on_case");
}

#[test]
fn only_a_member_of_the_team_can_leave_it() {
    given(CAST.executing())
        .when(
            as_(CAST.hub),
            Command::RemoveTeamMember {
                case_id: CAST.case,
                supporter_id: CAST.expert,
                on: day("2025-06-10"),
                reason: None,
            },
        )
        .then_refused("not_on_team");
}

#[test]
fn only_the_holding_agency_removes_team_members() {
    let refusal = given(executing_with_expert())
        .when(
            as_(CAST.expert),
            Command::RemoveTeamMember {
                case_id: CAST.case,
                supporter_id: CAST.expert,
                on: day("2025-06-10"),
                reason: None,
            },
        )
        .then_forbidden();
    assert_eq!(refusal.rule, "holder_only");
}

// ---------------------------------------------------------------- the measure status machine

#[test]
fn a_planned_measure_starts() {
    given(CAST.with_measure())
        .when(as_(CAST.hub), start("2025-05-01"))
        .then(vec![DomainEvent::MeasureStarted {
            case_id: CAST.case,
            measure_id: CAST.measure_a,
            on: day("2025-05-01"),
        }]);
}

#[test]
fn a_measure_starts_only_once() {
    for history in [CAST.executing(), stalled(), completed()] {
        given(history)
            .when(as_(CAST.hub), start("2025-06-28"))
            .then_refused("measure_status");
    }
}

#[test]
fn progress_is_logged_on_a_measure_in_progress() {
    given(CAST.executing())
        .when(as_(CAST.hub), progress("2025-05-15"))
        .then(vec![DomainEvent::MeasureProgressLogged {
            case_id: CAST.case,
            measure_id: CAST.measure_a,
            on: day("2025-05-15"),
            note: text("主要3製品の原価を試算した"),
            percent: Some(Percent::new(40).unwrap()),
        }]);
}

#[test]
fn progress_is_not_logged_on_a_measure_not_in_progress() {
    for history in [CAST.with_measure(), stalled(), completed()] {
        given(history)
            .when(as_(CAST.hub), progress("2025-06-28"))
            .then_refused("measure_status");
    }
}

#[test]
fn a_measure_in_progress_stalls_on_a_wall() {
    given(CAST.executing())
        .when(as_(CAST.hub), stall("2025-05-20", Wall::CannotExecute))
        .then(vec![DomainEvent::MeasureStalled {
            case_id: CAST.case,
            measure_id: CAST.measure_a,
            on: day("2025-05-20"),
            wall: Wall::CannotExecute,
            note: text("現場が日報を書かず、工数が集まらない"),
        }]);
}

#[test]
fn only_a_measure_in_progress_stalls() {
    for history in [CAST.with_measure(), stalled(), completed()] {
        given(history)
            .when(as_(CAST.hub), stall("2025-06-28", Wall::Lacking))
            .then_refused("measure_status");
    }
}

#[test]
fn a_stalled_measure_resumes_and_can_then_progress() {
    let events = given(stalled())
        .when(as_(CAST.hub), resume("2025-06-02"))
        .then(vec![DomainEvent::MeasureResumed {
            case_id: CAST.case,
            measure_id: CAST.measure_a,
            on: day("2025-06-02"),
            note: Some(reason("工場長が日報の意義を朝礼で説明した")),
        }]);
    let mut history = stalled();
    history.extend(events.into_iter().map(|e| e.event));
    given(history)
        .when(as_(CAST.hub), progress("2025-06-05"))
        .events();
}

#[test]
fn only_a_stalled_measure_resumes() {
    for history in [CAST.with_measure(), CAST.executing(), completed()] {
        given(history)
            .when(as_(CAST.hub), resume("2025-06-28"))
            .then_refused("measure_status");
    }
}

#[test]
fn a_measure_in_progress_completes() {
    given(CAST.executing())
        .when(as_(CAST.hub), complete("2025-06-25"))
        .then(vec![DomainEvent::MeasureCompleted {
            case_id: CAST.case,
            measure_id: CAST.measure_a,
            on: day("2025-06-25"),
            result: Some(text("全製品の原価表が完成し、赤字製品を2つ特定した")),
        }]);
}

#[test]
fn a_planned_stalled_or_completed_measure_does_not_complete() {
    for history in [CAST.with_measure(), stalled(), completed()] {
        given(history)
            .when(as_(CAST.hub), complete("2025-06-28"))
            .then_refused("measure_status");
    }
}

#[test]
fn execution_names_a_measure_of_the_case() {
    for command in execution_commands(MeasureId::new(), "2025-06-28") {
        let refusal = given(CAST.executing())
            .when(as_(CAST.hub), command)
            .then_refused("measure_not_found");
        assert_eq!(refusal.field.as_deref(), Some("measureId"));
    }
}

#[test]
fn execution_is_not_dated_in_the_future_nor_before_the_start_line() {
    // Each command from the status that would accept it, so that only the date is wrong.
    let from = |command: &Command| match command {
        Command::StartMeasure { .. } => CAST.with_measure(),
        Command::ResumeMeasure { .. } => stalled(),
        _ => CAST.executing(),
    };
    for command in execution_commands(CAST.measure_a, "2025-07-01") {
        given(from(&command))
            .when(as_(CAST.hub), command)
            .then_invalid("on");
    }
    // Before the discovery is also before the start line, which is the rule that answers.
    for command in execution_commands(CAST.measure_a, "2025-04-02") {
        let refusal = given(from(&command))
            .when(as_(CAST.hub), command)
            .then_refused("before_start_line");
        assert_eq!(refusal.field.as_deref(), Some("on"));
    }
    // Today itself is fine.
    given(CAST.executing())
        .when(as_(CAST.hub), progress(TODAY))
        .events();
}

// ---------------------------------------------------------------- OvercomeWall

#[test]
fn a_wall_of_the_issue_is_overcome() {
    given(CAST.executing())
        .when(as_(CAST.hub), overcome(CAST.issue_a, Wall::Invisible, None))
        .then(vec![DomainEvent::WallOvercome {
            case_id: CAST.case,
            issue_id: CAST.issue_a,
            wall: Wall::Invisible,
            on: day("2025-06-10"),
            how: text("工場長を巻き込み、日報を5分で書ける様式に変えた"),
            measure_id: None,
        }]);
}

#[test]
fn a_wall_met_by_a_stalled_measure_is_overcome_through_that_measure() {
    given(stalled())
        .when(
            as_(CAST.hub),
            overcome(CAST.issue_a, Wall::CannotExecute, Some(CAST.measure_a)),
        )
        .then(vec![DomainEvent::WallOvercome {
            case_id: CAST.case,
            issue_id: CAST.issue_a,
            wall: Wall::CannotExecute,
            on: day("2025-06-10"),
            how: text("工場長を巻き込み、日報を5分で書ける様式に変えた"),
            measure_id: Some(CAST.measure_a),
        }]);
}

#[test]
fn a_wall_met_by_a_measure_can_be_overcome_after_the_measure_resumed() {
    let resumed = CAST.then_run(stalled(), as_(CAST.hub), &resume("2025-06-02"));
    given(resumed)
        .when(
            as_(CAST.hub),
            overcome(CAST.issue_a, Wall::CannotExecute, Some(CAST.measure_a)),
        )
        .events();
}

#[test]
fn a_wall_neither_of_the_issue_nor_met_by_the_measure_is_not_overcome() {
    given(stalled())
        .when(
            as_(CAST.hub),
            overcome(CAST.issue_a, Wall::CannotExecute, None),
        )
        .then_refused("wall_not_met");
    given(stalled())
        .when(
            as_(CAST.hub),
            overcome(CAST.issue_a, Wall::Lacking, Some(CAST.measure_a)),
        )
        .then_refused("wall_not_met");
}

#[test]
fn a_wall_is_overcome_once() {
    let history = CAST.then_run(
        CAST.executing(),
        as_(CAST.hub),
        &overcome(CAST.issue_a, Wall::Invisible, None),
    );
    given(history)
        .when(as_(CAST.hub), overcome(CAST.issue_a, Wall::Invisible, None))
        .then_refused("wall_already_overcome");
}

#[test]
fn a_wall_is_overcome_through_a_measure_of_that_issue() {
    given(stalled())
        .when(
            as_(CAST.hub),
            overcome(CAST.issue_b, Wall::NotFollowing, Some(CAST.measure_a)),
        )
        .then_invalid("measureId");
    given(stalled())
        .when(
            as_(CAST.hub),
            overcome(CAST.issue_a, Wall::Invisible, Some(MeasureId::new())),
        )
        .then_refused("measure_not_found");
    given(stalled())
        .when(
            as_(CAST.hub),
            overcome(IssueId::new(), Wall::Invisible, None),
        )
        .then_refused("issue_not_found");
}

// ---------------------------------------------------------------- MeasureKpi

fn measure_kpi(measure_id: MeasureId, kpi_id: KpiId, on: Day) -> Command {
    Command::MeasureKpi {
        case_id: CAST.case,
        measure_id,
        kpi_id,
        on,
        value: qty(3.1),
    }
}

#[test]
fn a_kpi_of_a_measure_is_measured() {
    given(CAST.executing())
        .when(
            as_(CAST.hub),
            measure_kpi(CAST.measure_a, CAST.kpi_a, day("2025-06-15")),
        )
        .then(vec![DomainEvent::KpiMeasured {
            case_id: CAST.case,
            measure_id: CAST.measure_a,
            kpi_id: CAST.kpi_a,
            on: day("2025-06-15"),
            value: qty(3.1),
        }]);
}

#[test]
fn only_a_kpi_of_that_measure_is_measured() {
    let refusal = given(CAST.executing())
        .when(
            as_(CAST.hub),
            measure_kpi(CAST.measure_a, KpiId::new(), day("2025-06-15")),
        )
        .then_refused("kpi_not_found");
    assert_eq!(refusal.field.as_deref(), Some("kpiId"));
    given(CAST.executing())
        .when(
            as_(CAST.hub),
            measure_kpi(MeasureId::new(), CAST.kpi_a, day("2025-06-15")),
        )
        .then_refused("measure_not_found");
    given(CAST.executing())
        .when(
            as_(CAST.hub),
            measure_kpi(CAST.measure_a, CAST.kpi_a, day("2025-07-01")),
        )
        .then_invalid("on");
}

#[test]
fn a_measure_is_not_logged_before_it_started() {
    // Started on 2025-05-01 (after the start line on 2025-04-17).
    given(CAST.executing())
        .when(as_(CAST.hub), progress("2025-04-20"))
        .then_invalid("on");
    let refusal = given(CAST.executing())
        .when(
            as_(CAST.hub),
            Command::CompleteMeasure {
                case_id: CAST.case,
                measure_id: CAST.measure_a,
                on: day("2025-04-30"),
                result: None,
            },
        )
        .then_invalid("on");
    assert!(refusal.message.contains("施策の開始日"), "{refusal:?}");
}
