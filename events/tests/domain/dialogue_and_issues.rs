//! The 1st step (「真の」課題把握・課題設定): dialogue with the owner, and setting, revising, dropping
//! and resolving issues.

use banso_events::domain::command::{Attendee, Command};
use banso_events::domain::event::{CompanyParticipant, DialogueNote, DomainEvent};
use banso_events::domain::ids::{DialogueId, IssueId, PersonId, SupporterId};
use banso_events::domain::localbench::{Perspective, PerspectiveItem};
use banso_events::domain::values::Minutes;
use banso_events::domain::vocab::{
    CompanyRole, DialogueMode, Priority, SupporterRole, TeamRole, Theme, Wall,
};
use uuid::Uuid;

use crate::support::*;

const DIALOGUE: DialogueId = DialogueId(Uuid::from_u128(0xd1a1));
const SUCCESSOR: PersonId = PersonId(Uuid::from_u128(0xb002));
/// A 中小企業診断士 employed by the shinkin bank itself.
const IN_HOUSE_EXPERT: SupporterId = SupporterId(Uuid::from_u128(0x5008));
const UNKNOWN_ISSUE: IssueId = IssueId(Uuid::from_u128(0x15ff));

/// Started, and the expert of the expert office on the team (within the consent).
fn with_expert_on_team() -> Vec<DomainEvent> {
    CAST.then_run(
        CAST.started(),
        as_(CAST.hub),
        &Command::AddTeamMember {
            case_id: CAST.case,
            supporter_id: CAST.expert,
            role: TeamRole::Expert,
            on: day("2025-04-24"),
            dispatch_purpose: Some(reason("原価計算の導入支援")),
            until: None,
        },
    )
}

fn attendee(person_id: PersonId, role: CompanyRole, details_name: &str) -> Attendee {
    Attendee {
        participant: CompanyParticipant {
            person: person_id,
            role,
        },
        details: person(details_name),
    }
}

fn dialogue_note(item: Option<PerspectiveItem>, t: &str, confidential: bool) -> DialogueNote {
    DialogueNote {
        item,
        text: text(t),
        confidential,
    }
}

fn dialogue(
    supporters: Vec<SupporterId>,
    experts: Vec<SupporterId>,
    attendees: Vec<Attendee>,
    notes: Vec<DialogueNote>,
) -> Command {
    Command::HoldDialogue {
        case_id: CAST.case,
        dialogue_id: DIALOGUE,
        on: day("2025-05-08"),
        minutes: Minutes::new(150).unwrap(),
        mode: DialogueMode::Visit,
        place: Some(name("川口精密 本社工場")),
        supporters,
        experts,
        attendees,
        perspectives: vec![],
        notes,
    }
}

/// A dialogue by the hub supporter alone, with the owner and one note.
fn simple_dialogue() -> Command {
    dialogue(
        vec![CAST.hub],
        vec![],
        vec![attendee(CAST.owner, CompanyRole::Owner, "川口 一郎")],
        vec![dialogue_note(None, "受注減の背景を傾聴", false)],
    )
}

fn revise(issue_id: IssueId, walls: Vec<Wall>) -> Command {
    Command::ReviseIssue {
        case_id: CAST.case,
        on: day("2025-04-24"),
        issue_id,
        title: title("製品別の原価が見えていない"),
        description: Some(text("見積りが勘に頼っている")),
        theme: Theme::ManagementImprovement,
        walls,
        priority: Priority::High,
        owner_agrees: true,
        reason: reason("2回目の対話で、社長自身が原価から目を背けていたと分かった"),
    }
}

fn drop_issue(issue_id: IssueId) -> Command {
    Command::DropIssue {
        case_id: CAST.case,
        on: day("2025-04-24"),
        issue_id,
        reason: reason("社長と話し合い、今期は原価管理に集中すると決めた"),
    }
}

fn resolve(issue_id: IssueId, on: &str) -> Command {
    Command::ResolveIssue {
        case_id: CAST.case,
        issue_id,
        on: day(on),
        how: reason("製品別原価表が毎月作られるようになった"),
    }
}

/// With issues, then issue B dropped and issue A resolved.
fn issues_dropped_and_resolved() -> Vec<DomainEvent> {
    let history = CAST.then_run(CAST.with_issues(), as_(CAST.hub), &drop_issue(CAST.issue_b));
    CAST.then_run(history, as_(CAST.hub), &resolve(CAST.issue_a, "2025-06-15"))
}

// ---------------------------------------------------------------- HoldDialogue

#[test]
fn a_dialogue_with_an_expert_records_attendees_apart_and_the_perspectives_of_its_notes() {
    let command = Command::HoldDialogue {
        case_id: CAST.case,
        dialogue_id: DIALOGUE,
        on: day("2025-05-08"),
        minutes: Minutes::new(150).unwrap(),
        mode: DialogueMode::Visit,
        place: Some(name("川口精密 本社工場")),
        supporters: vec![CAST.hub, CAST.colleague],
        experts: vec![CAST.expert],
        attendees: vec![
            attendee(CAST.owner, CompanyRole::Owner, "川口 一郎"),
            attendee(SUCCESSOR, CompanyRole::Successor, "川口 健太"),
        ],
        perspectives: vec![Perspective::EnvironmentFocus],
        notes: vec![
            dialogue_note(
                Some(PerspectiveItem::Strengths),
                "五軸加工の精度は取引先からも評価が高い",
                false,
            ),
            dialogue_note(
                Some(PerspectiveItem::BusinessSuccession),
                "後継者は未定。承継の時期は3年以内に決めたい",
                true,
            ),
            dialogue_note(None, "次回は工場長も同席", false),
        ],
    };
    let envelopes = given(with_expert_on_team())
        .when(as_(CAST.hub), command)
        .then(vec![DomainEvent::DialogueHeld {
            case_id: CAST.case,
            dialogue_id: DIALOGUE,
            on: day("2025-05-08"),
            minutes: Minutes::new(150).unwrap(),
            mode: DialogueMode::Visit,
            place: Some(name("川口精密 本社工場")),
            supporters: vec![CAST.hub, CAST.colleague],
            experts: vec![CAST.expert],
            company_people: vec![
                CompanyParticipant {
                    person: CAST.owner,
                    role: CompanyRole::Owner,
                },
                CompanyParticipant {
                    person: SUCCESSOR,
                    role: CompanyRole::Successor,
                },
            ],
            // Named (環境) and those of the notes' items (経営者: 事業承継, 事業: 強み), once each.
            perspectives: vec![
                Perspective::OwnerFocus,
                Perspective::BusinessFocus,
                Perspective::EnvironmentFocus,
            ],
            notes: vec![
                dialogue_note(
                    Some(PerspectiveItem::Strengths),
                    "五軸加工の精度は取引先からも評価が高い",
                    false,
                ),
                dialogue_note(
                    Some(PerspectiveItem::BusinessSuccession),
                    "後継者は未定。承継の時期は3年以内に決めたい",
                    true,
                ),
                dialogue_note(None, "次回は工場長も同席", false),
            ],
        }]);
    let personal = &envelopes[0].personal;
    let name_of = |p| {
        personal
            .get(p)
            .and_then(|d| d.name.as_ref())
            .map(|n| n.as_str().to_owned())
    };
    assert_eq!(name_of(CAST.owner).as_deref(), Some("川口 一郎"));
    assert_eq!(name_of(SUCCESSOR).as_deref(), Some("川口 健太"));
    let business = serde_json::to_string(&envelopes[0].event).unwrap();
    assert!(
        !business.contains("川口 一郎") && !business.contains("川口 健太"),
        "{business}"
    );
}

#[test]
fn an_expert_of_the_holding_agency_joins_a_dialogue_without_joining_the_team() {
    let history = CAST.then_run(
        CAST.started(),
        as_(CAST.admin),
        &Command::RegisterSupporter {
            supporter_id: IN_HOUSE_EXPERT,
            agency_id: CAST.shinkin,
            person: PersonId(IN_HOUSE_EXPERT.0),
            role: SupporterRole::Expert,
            details: person("田中 誠"),
        },
    );
    let events = given(history)
        .when(
            as_(CAST.hub),
            dialogue(
                vec![CAST.hub],
                vec![IN_HOUSE_EXPERT],
                vec![],
                vec![dialogue_note(None, "財務面を診断士が確認", false)],
            ),
        )
        .events();
    assert!(
        matches!(&events[0], DomainEvent::DialogueHeld { experts, .. } if experts == &vec![IN_HOUSE_EXPERT])
    );
}

#[test]
fn a_dialogue_before_the_start_line_is_refused() {
    given(CAST.discovered())
        .when(as_(CAST.hub), simple_dialogue())
        .then_refused("before_start_line");
}

#[test]
fn a_dialogue_dated_before_the_start_line_is_refused() {
    // The start line was reached on 2025-04-17; a talk on 2025-04-10 was an outreach visit.
    let Command::HoldDialogue {
        case_id,
        dialogue_id,
        minutes,
        mode,
        place,
        supporters,
        experts,
        attendees,
        perspectives,
        notes,
        ..
    } = simple_dialogue()
    else {
        unreachable!()
    };
    let refusal = given(CAST.started())
        .when(
            as_(CAST.hub),
            Command::HoldDialogue {
                case_id,
                dialogue_id,
                on: day("2025-04-10"),
                minutes,
                mode,
                place,
                supporters,
                experts,
                attendees,
                perspectives,
                notes,
            },
        )
        .then_refused("before_start_line");
    assert_eq!(refusal.field.as_deref(), Some("on"));
}

#[test]
fn a_dialogue_needs_notes() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            dialogue(vec![CAST.hub], vec![], vec![], vec![]),
        )
        .then_invalid("notes");
}

#[test]
fn a_dialogue_needs_a_supporter() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            dialogue(
                vec![],
                vec![],
                vec![],
                vec![dialogue_note(None, "傾聴", false)],
            ),
        )
        .then_invalid("supporters");
}

#[test]
fn an_expert_neither_on_the_team_nor_of_the_holding_agency_is_refused() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            dialogue(
                vec![CAST.hub],
                vec![CAST.expert],
                vec![],
                vec![dialogue_note(None, "傾聴", false)],
            ),
        )
        .then_invalid("experts[0]");
}

#[test]
fn a_supporter_of_another_agency_must_join_the_team_before_a_dialogue() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            dialogue(
                vec![CAST.hub, CAST.chamber_advisor],
                vec![],
                vec![],
                vec![dialogue_note(None, "傾聴", false)],
            ),
        )
        .then_invalid("supporters[1]");
}

#[test]
fn the_experts_of_a_dialogue_are_registered_as_experts() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            dialogue(
                vec![CAST.hub],
                vec![CAST.colleague],
                vec![],
                vec![dialogue_note(None, "傾聴", false)],
            ),
        )
        .then_invalid("experts[0]");
}

#[test]
fn no_one_attends_a_dialogue_twice() {
    let notes = || vec![dialogue_note(None, "傾聴", false)];
    given(with_expert_on_team())
        .when(
            as_(CAST.hub),
            dialogue(vec![CAST.hub, CAST.hub], vec![], vec![], notes()),
        )
        .then_invalid("supporters");
    given(with_expert_on_team())
        .when(
            as_(CAST.hub),
            dialogue(
                vec![CAST.hub],
                vec![CAST.expert, CAST.expert],
                vec![],
                notes(),
            ),
        )
        .then_invalid("experts");
    given(with_expert_on_team())
        .when(
            as_(CAST.hub),
            dialogue(
                vec![CAST.hub],
                vec![],
                vec![
                    attendee(CAST.owner, CompanyRole::Owner, "川口 一郎"),
                    attendee(CAST.owner, CompanyRole::Executive, "川口 一郎"),
                ],
                notes(),
            ),
        )
        .then_invalid("attendees");
}

#[test]
fn the_same_person_is_not_both_supporter_and_expert_of_a_dialogue() {
    given(with_expert_on_team())
        .when(
            as_(CAST.hub),
            dialogue(
                vec![CAST.hub, CAST.expert],
                vec![CAST.expert],
                vec![],
                vec![dialogue_note(None, "傾聴", false)],
            ),
        )
        .then_invalid("experts[0]");
}

#[test]
fn a_dialogue_dated_in_the_future_is_refused() {
    let Command::HoldDialogue {
        case_id,
        dialogue_id,
        minutes,
        mode,
        place,
        supporters,
        experts,
        attendees,
        perspectives,
        notes,
        ..
    } = simple_dialogue()
    else {
        unreachable!()
    };
    given(CAST.started())
        .when(
            as_(CAST.hub),
            Command::HoldDialogue {
                case_id,
                dialogue_id,
                on: day("2025-07-01"),
                minutes,
                mode,
                place,
                supporters,
                experts,
                attendees,
                perspectives,
                notes,
            },
        )
        .then_invalid("on");
}

#[test]
fn another_agency_cannot_record_a_dialogue_on_the_case() {
    given(CAST.started())
        .when(as_(CAST.chamber_advisor), simple_dialogue())
        .then_forbidden();
}

// ---------------------------------------------------------------- SetIssue

#[test]
fn an_issue_set_after_the_start_line_belongs_to_cycle_1() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            CAST.set_issue(
                CAST.issue_a,
                "原価が見えていない",
                vec![Wall::Invisible, Wall::NotFacing],
            ),
        )
        .then(vec![DomainEvent::IssueSet {
            case_id: CAST.case,
            on: day("2025-04-24"),
            issue_id: CAST.issue_a,
            cycle: 1,
            title: title("原価が見えていない"),
            description: None,
            theme: Theme::ManagementImprovement,
            walls: vec![Wall::Invisible, Wall::NotFacing],
            priority: Priority::High,
            owner_agrees: true,
        }]);
}

#[test]
fn an_issue_set_after_a_review_that_starts_the_next_cycle_belongs_to_cycle_2() {
    let history = CAST.then_run(
        CAST.executing(),
        as_(CAST.hub),
        &Command::HoldReview {
            case_id: CAST.case,
            on: day("2025-06-15"),
            findings: vec![],
            worked: None,
            not_worked: None,
            adjustments: None,
            next_review_on: None,
            start_next_cycle: true,
        },
    );
    let events = given(history)
        .when(
            as_(CAST.hub),
            CAST.set_issue(
                IssueId(Uuid::from_u128(0x1553)),
                "後継者が育っていない",
                vec![Wall::Lacking],
            ),
        )
        .events();
    assert!(
        matches!(&events[0], DomainEvent::IssueSet { cycle: 2, .. }),
        "{events:?}"
    );
}

#[test]
fn an_expert_on_the_team_may_set_an_issue() {
    let events = given(with_expert_on_team())
        .when(
            as_(CAST.expert),
            CAST.set_issue(CAST.issue_a, "原価が見えていない", vec![Wall::Invisible]),
        )
        .events();
    assert!(matches!(&events[0], DomainEvent::IssueSet { .. }));
}

#[test]
fn issue_setting_before_the_start_line_is_refused() {
    given(CAST.discovered())
        .when(
            as_(CAST.hub),
            CAST.set_issue(CAST.issue_a, "原価が見えていない", vec![Wall::Invisible]),
        )
        .then_refused("before_start_line");
}

#[test]
fn an_issue_names_at_least_one_wall() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            CAST.set_issue(CAST.issue_a, "原価が見えていない", vec![]),
        )
        .then_invalid("walls");
}

#[test]
fn an_issue_names_each_wall_once() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            CAST.set_issue(
                CAST.issue_a,
                "原価が見えていない",
                vec![Wall::Invisible, Wall::Lacking, Wall::Invisible],
            ),
        )
        .then_invalid("walls");
}

#[test]
fn an_issue_id_is_not_reused() {
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            CAST.set_issue(CAST.issue_a, "人手が足りない", vec![Wall::Lacking]),
        )
        .then_refused("issue_exists");
}

#[test]
fn no_issue_is_set_on_a_closed_case() {
    given(CAST.closed())
        .when(
            as_(CAST.hub),
            CAST.set_issue(
                IssueId(Uuid::from_u128(0x1553)),
                "人手が足りない",
                vec![Wall::Lacking],
            ),
        )
        .then_refused("case_closed");
}

#[test]
fn another_agency_cannot_set_issues_on_the_case() {
    given(CAST.started())
        .when(
            as_(CAST.chamber_advisor),
            CAST.set_issue(CAST.issue_a, "原価が見えていない", vec![Wall::Invisible]),
        )
        .then_forbidden();
}

// ---------------------------------------------------------------- ReviseIssue

#[test]
fn an_open_issue_is_revised_with_a_reason() {
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            revise(CAST.issue_a, vec![Wall::Invisible, Wall::NotFacing]),
        )
        .then(vec![DomainEvent::IssueRevised {
            case_id: CAST.case,
            on: day("2025-04-24"),
            issue_id: CAST.issue_a,
            title: title("製品別の原価が見えていない"),
            description: Some(text("見積りが勘に頼っている")),
            theme: Theme::ManagementImprovement,
            walls: vec![Wall::Invisible, Wall::NotFacing],
            priority: Priority::High,
            owner_agrees: true,
            reason: reason("2回目の対話で、社長自身が原価から目を背けていたと分かった"),
        }]);
}

#[test]
fn a_dropped_or_resolved_issue_is_not_revised() {
    let history = issues_dropped_and_resolved();
    given(history.clone())
        .when(
            as_(CAST.hub),
            revise(CAST.issue_b, vec![Wall::NotFollowing]),
        )
        .then_refused("issue_not_open");
    given(history)
        .when(as_(CAST.hub), revise(CAST.issue_a, vec![Wall::Invisible]))
        .then_refused("issue_not_open");
}

#[test]
fn revising_an_unknown_issue_is_refused() {
    given(CAST.with_issues())
        .when(as_(CAST.hub), revise(UNKNOWN_ISSUE, vec![Wall::Invisible]))
        .then_refused("issue_not_found");
}

#[test]
fn a_revised_issue_keeps_at_least_one_wall_each_once() {
    given(CAST.with_issues())
        .when(as_(CAST.hub), revise(CAST.issue_a, vec![]))
        .then_invalid("walls");
    given(CAST.with_issues())
        .when(
            as_(CAST.hub),
            revise(CAST.issue_a, vec![Wall::NotFacing, Wall::NotFacing]),
        )
        .then_invalid("walls");
}

// ---------------------------------------------------------------- DropIssue

#[test]
fn an_open_issue_is_dropped_with_a_reason() {
    given(CAST.with_issues())
        .when(as_(CAST.hub), drop_issue(CAST.issue_b))
        .then(vec![DomainEvent::IssueDropped {
            case_id: CAST.case,
            on: day("2025-04-24"),
            issue_id: CAST.issue_b,
            reason: reason("社長と話し合い、今期は原価管理に集中すると決めた"),
        }]);
}

#[test]
fn a_dropped_or_resolved_issue_is_not_dropped() {
    let history = issues_dropped_and_resolved();
    given(history.clone())
        .when(as_(CAST.hub), drop_issue(CAST.issue_b))
        .then_refused("issue_not_open");
    given(history)
        .when(as_(CAST.hub), drop_issue(CAST.issue_a))
        .then_refused("issue_not_open");
}

#[test]
fn dropping_an_unknown_issue_is_refused() {
    given(CAST.with_issues())
        .when(as_(CAST.hub), drop_issue(UNKNOWN_ISSUE))
        .then_refused("issue_not_found");
}

// ---------------------------------------------------------------- ResolveIssue

#[test]
fn an_open_issue_is_resolved_saying_how() {
    given(CAST.with_issues())
        .when(as_(CAST.hub), resolve(CAST.issue_a, "2025-06-15"))
        .then(vec![DomainEvent::IssueResolved {
            case_id: CAST.case,
            issue_id: CAST.issue_a,
            on: day("2025-06-15"),
            how: reason("製品別原価表が毎月作られるようになった"),
        }]);
}

#[test]
fn a_dropped_or_resolved_issue_is_not_resolved() {
    let history = issues_dropped_and_resolved();
    given(history.clone())
        .when(as_(CAST.hub), resolve(CAST.issue_b, "2025-06-20"))
        .then_refused("issue_not_open");
    given(history)
        .when(as_(CAST.hub), resolve(CAST.issue_a, "2025-06-20"))
        .then_refused("issue_not_open");
}

#[test]
fn resolving_an_unknown_issue_is_refused() {
    given(CAST.with_issues())
        .when(as_(CAST.hub), resolve(UNKNOWN_ISSUE, "2025-06-15"))
        .then_refused("issue_not_found");
}

#[test]
fn an_issue_is_not_resolved_in_the_future() {
    given(CAST.with_issues())
        .when(as_(CAST.hub), resolve(CAST.issue_a, "2025-07-01"))
        .then_invalid("on");
}

#[test]
fn an_issue_is_dated_between_the_start_line_and_today() {
    let dated = |on: &str| {
        let mut cmd = CAST.set_issue(CAST.issue_a, "原価が見えていない", vec![Wall::Invisible]);
        if let Command::SetIssue { on: day_of, .. } = &mut cmd {
            *day_of = day(on);
        }
        cmd
    };
    let refusal = given(CAST.started())
        .when(as_(CAST.hub), dated("2025-04-16"))
        .then_refused("before_start_line");
    assert_eq!(refusal.field.as_deref(), Some("on"));
    given(CAST.started())
        .when(as_(CAST.hub), dated("2025-07-01"))
        .then_invalid("on");
    given(CAST.started())
        .when(as_(CAST.hub), dated("2025-04-17"))
        .events();
}
