//! Review and publication of collected cases: who may nominate, review, draft, publish and
//! withdraw, in which order, and with which consent.

use banso_events::domain::command::Command;
use banso_events::domain::directory::Directory;
use banso_events::domain::event::{DomainEvent, WriteUp};
use banso_events::domain::japan::{Industry, Prefecture};
use banso_events::domain::state::Fold;
use banso_events::domain::vocab::*;

use crate::support::*;

fn nominate_from_candidate() -> Command {
    Command::NominateExample {
        case_id: CAST.case,
        on: day("2025-06-25"),
        side: ExampleSide::Good,
        themes: vec![Theme::ManagementImprovement],
        reasons: text("期限内に施策を完了し、壁を二つ越えた"),
    }
}

fn review(verdict: ReviewVerdict, comment: Option<&str>) -> Command {
    Command::ReviewExample {
        case_id: CAST.case,
        on: day("2025-06-26"),
        verdict,
        comment: comment.map(text),
    }
}

fn write_up() -> WriteUp {
    WriteUp {
        heading: name("【事例】A社（製造業・埼玉県）"),
        agency: name("さくら信用金庫"),
        industry: Industry::parse("E").unwrap(),
        prefecture: Prefecture::parse("埼玉県").unwrap(),
        themes: vec![Theme::ManagementImprovement],
        walls: vec![Wall::Invisible],
        issues: text("・原価が見えない（「見えない」）"),
        approach: text("対話で課題を設定し、原価表を社内で作った。"),
        changes: text("営業利益率 約3%改善。"),
    }
}

fn draft() -> Command {
    Command::DraftExample {
        case_id: CAST.case,
        on: day("2025-06-27"),
        write_up: write_up(),
    }
}

fn publish() -> Command {
    Command::PublishExample {
        case_id: CAST.case,
        on: day("2025-06-28"),
    }
}

fn nominated() -> Vec<DomainEvent> {
    CAST.then_run(
        CAST.executing(),
        as_(CAST.policy),
        &nominate_from_candidate(),
    )
}

fn accepted() -> Vec<DomainEvent> {
    CAST.then_run(
        nominated(),
        as_(CAST.policy),
        &review(ReviewVerdict::Accept, None),
    )
}

fn drafted() -> Vec<DomainEvent> {
    CAST.then_run(accepted(), as_(CAST.policy), &draft())
}

fn published() -> Vec<DomainEvent> {
    CAST.then_run(drafted(), as_(CAST.policy), &publish())
}

#[test]
fn a_policy_officer_nominates_a_candidate_on_the_example_stream() {
    given(CAST.executing())
        .when(as_(CAST.policy), nominate_from_candidate())
        .then(vec![DomainEvent::ExampleNominated {
            case_id: CAST.case,
            on: day("2025-06-25"),
            by: CAST.policy,
            side: ExampleSide::Good,
            themes: vec![Theme::ManagementImprovement],
            reasons: text("期限内に施策を完了し、壁を二つ越えた"),
        }]);
}

#[test]
fn only_policy_officers_nominate_review_draft_publish_and_withdraw() {
    given(CAST.executing())
        .when(as_(CAST.hub), nominate_from_candidate())
        .then_forbidden();
    given(nominated())
        .when(as_(CAST.hub), review(ReviewVerdict::Accept, None))
        .then_forbidden();
    given(accepted())
        .when(as_(CAST.admin), draft())
        .then_forbidden();
    given(drafted())
        .when(as_(CAST.colleague), publish())
        .then_forbidden();
    given(drafted())
        .when(banso_events::domain::directory::Actor::Operator, publish())
        .then_forbidden();
}

#[test]
fn a_case_is_nominated_once_whoever_nominates() {
    given(nominated())
        .when(as_(CAST.policy), nominate_from_candidate())
        .then_refused("already_nominated");
    let by_supporter = CAST.then_run(
        CAST.executing(),
        as_(CAST.hub),
        &Command::NominateGoodPractice {
            case_id: CAST.case,
            on: day("2025-06-25"),
            themes: vec![Theme::ManagementImprovement],
            reasons: text("原価の見える化で社長の意思決定が変わった"),
        },
    );
    given(by_supporter.clone())
        .when(as_(CAST.policy), nominate_from_candidate())
        .then_refused("already_nominated");
    // …and the supporters' nomination is reviewed like the policy office's.
    given(by_supporter)
        .when(as_(CAST.policy), review(ReviewVerdict::Accept, None))
        .envelopes();
}

#[test]
fn nominating_needs_the_owners_consent_to_collection() {
    let withdrawn = CAST.then_run(
        CAST.executing(),
        as_(CAST.hub),
        &Command::WithdrawConsent {
            case_id: CAST.case,
            on: day("2025-06-20"),
            reason: None,
        },
    );
    given(withdrawn)
        .when(as_(CAST.policy), nominate_from_candidate())
        .then_refused("no_collection_consent");
}

#[test]
fn a_review_needs_a_nomination_and_questions_or_reasons_unless_accepting() {
    given(CAST.executing())
        .when(as_(CAST.policy), review(ReviewVerdict::Accept, None))
        .then_refused("not_nominated");
    given(nominated())
        .when(as_(CAST.policy), review(ReviewVerdict::SendBack, None))
        .then_invalid("comment");
    given(nominated())
        .when(as_(CAST.policy), review(ReviewVerdict::Reject, None))
        .then_invalid("comment");
    given(accepted())
        .when(
            as_(CAST.policy),
            review(ReviewVerdict::Reject, Some("重複")),
        )
        .then_refused("already_reviewed");
}

#[test]
fn questions_sent_back_are_answered_by_the_cases_supporters_then_reviewed_again() {
    let sent_back = CAST.then_run(
        nominated(),
        as_(CAST.policy),
        &review(
            ReviewVerdict::SendBack,
            Some("KPIの測定方法を教えてください。"),
        ),
    );
    let answer = Command::AnswerExampleQuestions {
        case_id: CAST.case,
        on: day("2025-06-27"),
        answers: text("月次の試算表から算出しています。"),
    };
    given(sent_back.clone())
        .when(as_(CAST.policy), review(ReviewVerdict::Accept, None))
        .then_refused("awaiting_answers");
    given(sent_back.clone())
        .when(as_(CAST.chamber_advisor), answer.clone())
        .then_forbidden();
    given(nominated())
        .when(as_(CAST.hub), answer.clone())
        .then_refused("no_questions");
    let answered = CAST.then_run(sent_back, as_(CAST.hub), &answer);
    let state = Directory::from_events(&answered).example(CAST.case);
    assert_eq!(state.status, Some(ExampleStatus::Nominated));
    given(answered)
        .when(as_(CAST.policy), review(ReviewVerdict::Accept, None))
        .envelopes();
}

#[test]
fn drafting_and_publishing_follow_acceptance_and_publishing_needs_a_draft() {
    given(nominated())
        .when(as_(CAST.policy), draft())
        .then_refused("not_accepted");
    given(accepted())
        .when(as_(CAST.policy), publish())
        .then_refused("no_draft");
    let mut no_themes = write_up();
    no_themes.themes.clear();
    given(accepted())
        .when(
            as_(CAST.policy),
            Command::DraftExample {
                case_id: CAST.case,
                on: day("2025-06-27"),
                write_up: no_themes,
            },
        )
        .then_invalid("writeUp.themes");
    given(published())
        .when(as_(CAST.policy), draft())
        .then_refused("published");
    given(published())
        .when(as_(CAST.policy), publish())
        .then_refused("published");
}

#[test]
fn a_published_example_is_withdrawn_then_may_be_edited_and_published_again() {
    let withdraw = Command::WithdrawExample {
        case_id: CAST.case,
        on: day("2025-06-29"),
        reason: reason("地域が推測できる表現があった"),
    };
    given(drafted())
        .when(as_(CAST.policy), withdraw.clone())
        .then_refused("not_published");
    let withdrawn = CAST.then_run(published(), as_(CAST.policy), &withdraw);
    let mut edited = write_up();
    edited.changes = text("営業利益率が改善。");
    let redrafted = CAST.then_run(
        withdrawn,
        as_(CAST.policy),
        &Command::DraftExample {
            case_id: CAST.case,
            on: day("2025-06-30"),
            write_up: edited.clone(),
        },
    );
    let again = CAST.then_run(
        redrafted,
        as_(CAST.policy),
        &Command::PublishExample {
            case_id: CAST.case,
            on: day("2025-06-30"),
        },
    );
    let example = banso_events::domain::state::ExampleState::fold(again.iter().filter(|e| {
        matches!(
            e.stream(),
            banso_events::domain::event::StreamKey::Example(_)
        )
    }));
    assert_eq!(example.status, Some(ExampleStatus::Published));
    assert_eq!(example.draft, Some(edited));
}

#[test]
fn example_events_never_touch_the_case_stream() {
    for event in published() {
        if let DomainEvent::ExampleNominated { .. }
        | DomainEvent::ExampleReviewed { .. }
        | DomainEvent::ExampleDrafted { .. }
        | DomainEvent::ExamplePublished { .. } = event
        {
            assert_eq!(
                event.stream(),
                banso_events::domain::event::StreamKey::Example(CAST.case)
            );
        }
    }
}
